import Foundation
import FoundationNetworking
import Hashing
import Ingress
import Logging
import Simulators
import Testing
import Workflow

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Production's shape on one machine: nginx with the shipped config in front of each function
/// running as its own process, sharing a file store.
@Suite(.serialized) struct GatewayTests {
    static let tenants = """
        { "tenants": [ { "id": "acme",
            "github": { "installationId": 42, "webhookSecret": "env:ACME_GITHUB_SECRET", "token": "env:ACME_GITHUB_TOKEN" },
            "ci": { "provider": "github-actions", "workflow": "tinybug-mutant.yml", "ref": "main" },
            "apiToken": "env:ACME_API_TOKEN",
            "limits": { "maxMutants": 6, "maxConcurrentJobs": 3, "jobTimeoutSeconds": 600, "maxAttempts": 3 },
            "threshold": 0.5 } ] }
        """

    /// Runs `body` with the GitHub simulator, the four functions and nginx in front of them.
    static func withGateway(
        latency: Duration = .zero, tenants: String = Self.tenants, environment extra: [String: String] = [:],
        _ body: (GitHubSimulator, FunctionProcesses, Gateway) async throws -> Void
    ) async throws {
        let logger = Harness.quietLogger
        var options = try Harness.simulatorOptions(jobDuration: .milliseconds(50))
        options.latency = latency
        let simulator = GitHubSimulator(options: options)
        try await LoopbackServer.withRunning({ simulator.application(logger: logger, onServerRunning: $0) }) {
            githubPort in
            let processes = try FunctionProcesses()
            let tenantsPath = processes.folder.appendingPathComponent("tenants.json")
            try tenants.write(to: tenantsPath, atomically: true, encoding: .utf8)
            let environment = [
                "TINYBUG_STORE": "file://\(processes.folder.path)/store", "TINYBUG_TENANTS": tenantsPath.path,
                "GITHUB_API_URL": "http://127.0.0.1:\(githubPort)", "BUILDKITE_API_URL": "http://127.0.0.1:9",
                "TINYBUG_TIMER_TOKEN": Harness.timerToken, "TINYBUG_ADMIN_TOKEN": Harness.adminToken,
                "ACME_GITHUB_SECRET": Harness.secret, "ACME_GITHUB_TOKEN": Harness.token,
                "ACME_API_TOKEN": Harness.apiToken,
                "PATH": "/usr/bin:/bin",
            ].merging(extra) { $1 }
            var upstreams: [String: Int] = [:]
            for (function, upstream) in [
                ("pull-request", "pull_request"), ("ci-completed", "ci_completed"), ("timer-fired", "timer_fired"),
                ("control", "control"),
            ] {
                upstreams[upstream] = try await processes.start(function, environment: environment)
            }
            let gateway = try await Gateway.start(upstreams: upstreams, in: processes.folder)
            await simulator.state.target(
                url: "http://127.0.0.1:\(gateway.port)/webhooks/github/acme", secret: Harness.secret)
            do {
                try await body(simulator, processes, gateway)
            } catch {
                await gateway.stop()
                await processes.stopAll()
                throw error
            }
            await gateway.stop()
            await processes.stopAll()
        }
    }

    static func post(_ url: String, body: Data, headers: [String: String]) async throws -> (
        Int, [String: Any], HTTPURLResponse?
    ) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = 30
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:], http)
    }

    /// One `POST /timer` through the gateway at `base`, with the timer's token: its status.
    @discardableResult
    static func tick(_ base: String) async throws -> Int {
        try await post("\(base)/timer", body: Data(), headers: ["Authorization": "Bearer \(Harness.timerToken)"]).0
    }

    static func signed(_ body: Data, event: String) -> [String: String] {
        [
            "X-GitHub-Event": event, "X-GitHub-Delivery": UUID().uuidString, "Content-Type": "application/json",
            "X-Hub-Signature-256": Signature.gitHubHeader(body: body, secret: Secret(Harness.secret)),
        ]
    }

    static func get(_ url: String, token: String? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    @Test func `a whole measurement runs through nginx with one process per function`() async throws {
        try await Self.withGateway { simulator, processes, gateway in
            let base = "http://127.0.0.1:\(gateway.port)"
            let body = try fixture("github/pull_request.opened.json")
            let (status, answer, response) = try await Self.post(
                "\(base)/webhooks/github/acme", body: body, headers: Self.signed(body, event: "pull_request"))
            #expect(status == 202)
            #expect(response?.value(forHTTPHeaderField: "X-Request-Id")?.isEmpty == false)
            let workflow = try #require(answer["workflow"] as? String)
            let done = try await poll { () async throws -> [String: Any]? in
                let (_, data) = try await Self.get(
                    "\(base)/api/v1/tenants/acme/workflows/\(workflow)", token: Harness.apiToken)
                let state =
                    ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["state"] as? [String: Any]
                return state?["phase"] as? String == "done" ? state : nil
            }
            let state = try #require(done)
            #expect(state["phase"] as? String == "done")
            #expect(state["outcome"] != nil)
            let counts = await simulator.state.dispatchCounts()
            #expect(counts.count == 8)
            #expect(counts.values.allSatisfy { $0 == 1 })
            #expect(await simulator.state.checkRuns.first?.status == "completed")

            // Each event went to its own function, and the access log is JSON with request ids.
            #expect(processes.log("pull-request").contains("Started workflow"))
            #expect(!processes.log("ci-completed").contains("Started workflow"))
            let lines = gateway.accessLog.split(separator: "\n")
            #expect(lines.count >= 8)
            for line in lines.prefix(3) {
                let entry = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect((entry["request_id"] as? String)?.count ?? 0 >= 16)
            }
            #expect(gateway.accessLog.contains(#""github_event":"workflow_run""#))

            // Metrics move on the function that did the work.
            let ciPort = try #require(processes.running["ci-completed"]?.port)
            let (_, metrics) = try await Self.get("http://127.0.0.1:\(ciPort)/metrics")
            let text = String(decoding: metrics, as: UTF8.self)
            #expect(text.contains(#"tinybug_events_total{type="github.workflow_run",status="202"}"#))
            #expect(text.contains("tinybug_store_operations_total"))
            // Logs are JSON lines that carry ids and never a secret.
            let logs = processes.log("pull-request") + processes.log("ci-completed")
            #expect(logs.contains("\"workflow.id\":\"\(workflow)\""))
            #expect(!logs.contains(Harness.secret) && !logs.contains(Harness.token))
        }
    }

    @Test func `the gateway refuses a body over 25 MiB and unknown routes`() async throws {
        try await Self.withGateway { _, _, gateway in
            let base = "http://127.0.0.1:\(gateway.port)"
            let big = Data(repeating: UInt8(ascii: " "), count: 25 * 1024 * 1024 + 1)
            let (tooBig, _, _) = try await Self.post(
                "\(base)/webhooks/github/acme", body: big, headers: Self.signed(big, event: "pull_request"))
            #expect(tooBig == 413)
            let (unknown, _) = try await Self.get("\(base)/nothing/here")
            #expect(unknown == 404)
            let (timer, _, _) = try await Self.post(
                "\(base)/timer", body: Data(), headers: ["Authorization": "Bearer \(Harness.timerToken)"])
            #expect(timer == 200)
            let (wrongTimer, _, _) = try await Self.post(
                "\(base)/timer", body: Data(), headers: ["Authorization": "Bearer nope"])
            #expect(wrongTimer == 401)
        }
    }

    @Test func `SIGTERM during a request lets it finish, then the function exits 0`() async throws {
        try await Self.withGateway(latency: .milliseconds(700)) { simulator, processes, _ in
            let port = try #require(processes.running["pull-request"]?.port)
            let body = try fixture("github/pull_request.opened.json")
            async let reply = Self.post(
                "http://127.0.0.1:\(port)/webhooks/github/acme", body: body,
                headers: Self.signed(body, event: "pull_request"))
            // The simulator logs a call before its latency: once it has one, the request is in flight.
            let inFlight = try await poll { await simulator.state.requests.isEmpty ? nil : true }
            #expect(inFlight == true)
            let stopping = Task { await processes.stop("pull-request") }
            let (status, answer, _) = try await reply
            #expect(status == 202)
            #expect(answer["workflow"] as? String != nil)
            #expect(await stopping.value == 0)
        }
    }

    @Test func `a pull_request delivery lost to a 503 from the gateway is asked for again and measured`() async throws {
        let withHook = Self.tenants.replacingOccurrences(
            of: #""token": "env:ACME_GITHUB_TOKEN" }"#,
            with: #""token": "env:ACME_GITHUB_TOKEN", "hookId": 7, "hookRepository": "acme/shop" }"#)
        try await Self.withGateway(tenants: withHook, environment: ["TINYBUG_REDELIVERY_SECONDS": "0"]) {
            simulator, processes, gateway in
            let base = "http://127.0.0.1:\(gateway.port)"
            // Every copy of pull-request is down: GitHub's delivery gets the gateway's 503.
            let port = try #require(processes.running["pull-request"]?.port)
            await processes.stop("pull-request")
            #expect(
                await simulator.send(event: "pull_request", payload: try fixture("github/pull_request.opened.json"))
                    == 503)
            try await processes.start(
                "pull-request", port: port, environment: try #require(processes.environments["pull-request"]))
            // The timer looks over the hook's deliveries and asks GitHub for the failed one again.
            #expect(try await Self.tick(base) == 200)
            let redelivered = try await poll(timeout: .seconds(60)) { () async -> SimulatedDelivery? in
                await simulator.state.deliveries.first { $0.redelivery && $0.event == "pull_request" }
            }
            let again = try #require(redelivered)
            #expect(again.statusCode == 202)
            let first = try #require(await simulator.state.deliveries.first { $0.event == "pull_request" })
            #expect(first.statusCode == 503 && first.guid == again.guid)
            // The measurement happens, and a second look asks for nothing more.
            let done = try await poll(timeout: .seconds(120)) { () async throws -> Bool? in
                _ = try? await Self.tick(base)
                return await simulator.state.checkRuns.first?.status == "completed" ? true : nil
            }
            #expect(done == true)
            let asked = await simulator.state.requests.filter { $0.hasPrefix("POST redelivery") }
            #expect(asked.count == 1)
            #expect(processes.log("timer-fired").contains("Asked GitHub to deliver a failed webhook again"))
        }
    }

    @Test func `the shipped gateway config passes nginx -t`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tinybug-nginx-t-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let (status, text) = try FunctionProcesses.captured(
            URL(fileURLWithPath: try Gateway.nginxPath()),
            [
                "-t", "-p", folder.path, "-c",
                FunctionProcesses.root.appendingPathComponent("infra/gateway/nginx.conf").path,
                "-g", "pid \(folder.path)/nginx.pid; error_log stderr;",
            ])
        #expect(status == 0, "\(text)")
        #expect(text.contains("test is successful"))
    }
}
