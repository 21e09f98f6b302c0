import Egress
import Engine
import Foundation
import FoundationNetworking
import FunctionRuntime
import Hashing
import Ingress
import Logging
import Orchestration
import Simulators
import Testing
import Workflow

/// Measurements with their state in a real S3-compatible server (SeaweedFS on 127.0.0.1).
struct S3MeasurementTests {
    static func s3Store(_ endpoint: SeaweedServer.Endpoint, prefix: String) -> S3Store {
        let credentials = AWSCredentials(accessKeyID: endpoint.accessKey, secretAccessKey: Secret(endpoint.secretKey))
        return S3Store(
            .init(
                endpoint: endpoint.url, bucket: endpoint.bucket, prefix: prefix, region: "us-east-1",
                credentials: credentials, addressing: .path),
            transport: URLSessionTransport(timeout: 5))
    }

    @Test func `a whole measurement runs with the S3 store`() async throws {
        try await SeaweedServer.with { endpoint in
            let prefix = "e2e-\(UUID().uuidString.lowercased())"
            try await Harness.run(store: { Self.s3Store(endpoint, prefix: prefix) }) { harness in
                let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
                #expect(reply.status == 202, "\(reply.body)")
                let workflow = try #require(reply.body["workflow"] as? String)
                let document = try await harness.finished(workflow)
                #expect(document.state.status == .completed)
                let counts = await harness.simulator.state.dispatchCounts()
                #expect(counts.count == 10 && counts.values.allSatisfy { $0 == 1 })
                // The document really is in the bucket, as readable JSON.
                let stored = try #require(
                    try await Self.s3Store(endpoint, prefix: prefix).read(
                        StoreKey.workflow(tenant: "acme", id: workflow)))
                #expect(String(decoding: stored.data, as: UTF8.self).contains("\"schemaVersion\":1"))
            }
        }
    }

    @Test func `two ci-completed processes answering many concurrent completions lose no update`() async throws {
        try await SeaweedServer.with { endpoint in
            let logger = Harness.quietLogger
            var options = try Harness.simulatorOptions(jobDuration: .seconds(3600))
            options.dropWebhook = { _ in true }
            let simulator = GitHubSimulator(options: options)
            try await LoopbackServer.withRunning({ simulator.application(logger: logger, onServerRunning: $0) }) {
                githubPort in
                let processes = try FunctionProcesses()
                let tenantsPath = processes.folder.appendingPathComponent("tenants.json")
                try GatewayTests.tenants.replacingOccurrences(
                    of: #""maxMutants": 6, "maxConcurrentJobs": 3"#,
                    with: #""maxMutants": 12, "maxConcurrentJobs": 12, "baselineRuns": 1"#
                )
                .write(to: tenantsPath, atomically: true, encoding: .utf8)
                let environment = [
                    "TINYBUG_STORE": "s3://\(endpoint.bucket)/procs-\(UUID().uuidString.lowercased())",
                    "TINYBUG_S3_ENDPOINT": endpoint.url,
                    "AWS_ACCESS_KEY_ID": endpoint.accessKey, "AWS_SECRET_ACCESS_KEY": endpoint.secretKey,
                    "AWS_REGION": "us-east-1",
                    "TINYBUG_TENANTS": tenantsPath.path, "GITHUB_API_URL": "http://127.0.0.1:\(githubPort)",
                    "ACME_GITHUB_SECRET": Harness.secret, "ACME_GITHUB_TOKEN": Harness.token,
                    "ACME_API_TOKEN": Harness.apiToken,
                    "TINYBUG_ADMIN_TOKEN": Harness.adminToken, "PATH": "/usr/bin:/bin",
                ]
                let pullRequest = try await processes.start("pull-request", environment: environment)
                let first = try await processes.start("ci-completed", as: "ci-completed-1", environment: environment)
                let second = try await processes.start("ci-completed", as: "ci-completed-2", environment: environment)
                let control = try await processes.start("control", environment: environment)
                defer { Task { await processes.stopAll() } }

                let body = try fixture("github/pull_request.opened.json")
                let (opened, answer, _) = try await GatewayTests.post(
                    "http://127.0.0.1:\(pullRequest)/webhooks/github/acme", body: body,
                    headers: GatewayTests.signed(body, event: "pull_request"))
                #expect(opened == 202)
                let workflow = try #require(answer["workflow"] as? String)
                try await Self.complete(job: "base/1", conclusion: "success", simulator: simulator, port: first)
                let runs = try await Self.waitForRuns(13, simulator: simulator)
                // Every mutant's completion at once, alternating between the two processes.
                let mutants = runs.filter { !($0.inputs["tinybug_job"] ?? "").hasSuffix("/base/1") }
                #expect(mutants.count == 12)
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for (index, run) in mutants.enumerated() {
                        group.addTask {
                            let payload = GitHubSimulator.completedPayload(
                                run, conclusion: index % 3 == 0 ? "success" : "failure", owner: "acme", repo: "shop")
                            let (status, _, _) = try await GatewayTests.post(
                                "http://127.0.0.1:\(index % 2 == 0 ? first : second)/webhooks/github/acme",
                                body: payload,
                                headers: GatewayTests.signed(payload, event: "workflow_run"))
                            return status
                        }
                    }
                    for try await status in group { #expect(status == 202) }
                }
                let (_, data) = try await GatewayTests.get(
                    "http://127.0.0.1:\(control)/api/v1/tenants/acme/workflows/\(workflow)", token: Harness.apiToken)
                let document = try JSONDecoder().decode(Document<Run>.self, from: data)
                #expect(document.state.status == .completed)
                #expect(document.state.report?.killed == 8)
                #expect(document.state.report?.survived == 4)
                let applied = Set(document.appliedEvents)
                #expect(document.history.filter { $0.event.hasPrefix("CI finished") }.count == 13)
                #expect(applied.count == document.appliedEvents.count)
                let conflicts = processes.log("ci-completed-1") + processes.log("ci-completed-2")
                #expect(!conflicts.contains("\"level\":\"error\""))
            }
        }
    }

    static func waitForRuns(_ count: Int, simulator: GitHubSimulator) async throws -> [SimulatedRun] {
        let runs = try await poll { () async -> [SimulatedRun]? in
            let runs = await simulator.state.runs
            return runs.count >= count ? runs : nil
        }
        if let runs { return runs }
        Issue.record("only \(await simulator.state.runs.count) runs were dispatched")
        throw CancellationError()
    }

    static func complete(job suffix: String, conclusion: String, simulator: GitHubSimulator, port: Int) async throws {
        let run = try #require(
            try await waitForRuns(1, simulator: simulator).first { ($0.inputs["tinybug_job"] ?? "").hasSuffix(suffix) })
        let payload = GitHubSimulator.completedPayload(run, conclusion: conclusion, owner: "acme", repo: "shop")
        let (status, _, _) = try await GatewayTests.post(
            "http://127.0.0.1:\(port)/webhooks/github/acme", body: payload,
            headers: GatewayTests.signed(payload, event: "workflow_run"))
        #expect(status == 202)
    }
}
