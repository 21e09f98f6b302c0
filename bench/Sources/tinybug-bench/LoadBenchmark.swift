import Foundation
import FoundationNetworking
import Hashing
import Ingress
import Logging
import Simulators
import Workflow

/// W workflows × N mutants through `tinybug serve` (a release binary, its own process) against the
/// GitHub simulator, C requests at a time: every PR opened, every baseline and mutant completion
/// fed back as the CI would. Measures events per second, latency per event type, CPU per event
/// and peak memory of the serving process.
struct LoadBenchmark {
    struct Result: Codable {
        var store: String
        var workflows: Int
        var mutants: Int
        var concurrency: Int
        var events: Int
        var seconds: Double
        var eventsPerSecond: Double
        var cpuMillisecondsPerEvent: Double
        var peakRSSMegabytes: Double
        var latency: [String: [String: Double]]
        var completed: Int
    }

    let tinybug: URL
    let fixtures: URL
    let storeEnvironment: [String: String]
    let storeName: String
    let workflows: Int
    let mutants: Int
    let concurrency: Int

    static let secret = "bench-secret"
    static let token = "bench-token"

    func run() async throws -> Result {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tinybug-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = GitHubSimulator.Options(
            token: Self.token, owner: "acme", repo: "shop", pullNumber: 0, files: [Self.file(lines: mutants)],
            webhookURL: "",
            webhookSecret: Self.secret, jobDuration: .seconds(86400))
        options.dropWebhook = { _ in true }
        let simulator = GitHubSimulator(options: options)
        return try await LoopbackServer.withRunning({ simulator.application(logger: logger, onServerRunning: $0) }) {
            githubPort in
            let tenants = folder.appendingPathComponent("tenants.json")
            // Every job of every workflow may be in flight and dispatched at once: this measures the
            // cost of events, not the quota or the pace (the tests show those hold).
            let inFlight = workflows * (mutants + 1)
            try
                #"{"tenants":[{"id":"acme","github":{"webhookSecret":"env:S","token":"env:T"},"limits":{"maxMutants":\#(mutants),"baselineRuns":1,"maxConcurrentJobs":\#(inFlight),"maxDispatches":\#(inFlight),"jobTimeoutSeconds":86400}}]}"#
                .write(to: tenants, atomically: true, encoding: .utf8)
            let environment = storeEnvironment.merging([
                "PORT": "0", "TINYBUG_TENANTS": tenants.path, "GITHUB_API_URL": "http://127.0.0.1:\(githubPort)",
                "S": Self.secret,
                "T": Self.token, "TINYBUG_TICK_SECONDS": "86400", "TINYBUG_ADMIN_TOKEN": "admin", "LOG_LEVEL": "notice",
            ]) { $1 }
            let served = try await Served.start(tinybug, arguments: ["serve"], environment: environment, folder: folder)
            defer { Task { await served.stop() } }
            return try await measure(served, simulator: simulator)
        }
    }

    private func measure(_ served: Served, simulator: GitHubSimulator) async throws -> Result {
        let url = "http://127.0.0.1:\(served.port)/webhooks/github/acme"
        let template = try Data(contentsOf: fixtures.appendingPathComponent("github/pull_request.opened.json"))
        let openings = try (0..<workflows).map {
            try Self.signed(Self.pullRequest(template, number: $0 + 1), event: "pull_request")
        }
        let cpuBefore = served.cpuMilliseconds
        let started = ContinuousClock.now
        var latency: [String: Latencies] = [:]
        latency["pull_request"] = try await Self.send(openings, to: url, concurrency: concurrency)
        let baselines = try await completions(simulator, count: workflows, baseline: true)
        latency["completion (baseline)"] = try await Self.send(baselines, to: url, concurrency: concurrency)
        let results = try await completions(simulator, count: workflows * mutants, baseline: false)
        latency["completion (mutant)"] = try await Self.send(results, to: url, concurrency: concurrency)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let events = openings.count + baselines.count + results.count
        let cpu = served.cpuMilliseconds - cpuBefore
        let completed = try await Self.completedCount(port: served.port)
        return Result(
            store: storeName, workflows: workflows, mutants: mutants, concurrency: concurrency, events: events,
            seconds: seconds,
            eventsPerSecond: Double(events) / seconds, cpuMillisecondsPerEvent: cpu / Double(events),
            peakRSSMegabytes: served.peakRSSMegabytes,
            latency: latency.mapValues {
                ["p50": $0.percentile(0.5), "p95": $0.percentile(0.95), "p99": $0.percentile(0.99)]
            },
            completed: completed)
    }

    /// Signed completions for the runs dispatched so far (baselines, or mutants), waiting until there are `count`.
    private func completions(_ simulator: GitHubSimulator, count: Int, baseline: Bool) async throws -> [(
        Data, [String: String]
    )] {
        for _ in 0..<6000 {
            let runs = await simulator.state.runs.filter {
                ($0.inputs["tinybug_job"] ?? "").contains("/base/") == baseline
            }
            if runs.count >= count {
                return try runs.map { run in
                    let killed = !baseline && (run.inputs["tinybug_job"] ?? "").hashValue % 3 != 0
                    let payload = GitHubSimulator.completedPayload(
                        run, conclusion: killed ? "failure" : "success", owner: "acme", repo: "shop")
                    return try Self.signed(payload, event: "workflow_run")
                }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchError("only some of \(count) runs were dispatched")
    }

    static func signed(_ body: Data, event: String) throws -> (Data, [String: String]) {
        (
            body,
            [
                "X-GitHub-Event": event, "X-GitHub-Delivery": UUID().uuidString, "Content-Type": "application/json",
                "X-Hub-Signature-256": Signature.gitHubHeader(body: body, secret: Secret(secret)),
            ]
        )
    }

    /// The fixture's PR with another number and head commit.
    static func pullRequest(_ template: Data, number: Int) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: template) as! [String: Any]
        var pr = object["pull_request"] as! [String: Any]
        var head = pr["head"] as! [String: Any]
        head["sha"] = Hex.encode(SHA256.digest(Array("head-\(number)".utf8)).prefix(20))
        pr["head"] = head
        pr["number"] = number
        object["pull_request"] = pr
        object["number"] = number
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// A Swift file whose every added line is one mutant.
    static func file(lines: Int) -> ChangedFile {
        ChangedFile(
            path: "Sources/App/Rules.swift",
            patch: "@@ -0,0 +1,\(lines) @@\n" + (0..<lines).map { "+let ok\($0) = a == \($0)" }.joined(separator: "\n"))
    }

    /// Posts every request, `concurrency` at a time, and records each one's latency.
    static func send(_ requests: [(Data, [String: String])], to url: String, concurrency: Int) async throws -> Latencies
    {
        let session = URLSession(configuration: .ephemeral)
        var latencies = Latencies()
        try await withThrowingTaskGroup(of: Duration.self) { group in
            var next = 0
            func add() {
                guard next < requests.count else { return }
                let (body, headers) = requests[next]
                next += 1
                group.addTask {
                    var request = URLRequest(url: URL(string: url)!)
                    request.httpMethod = "POST"
                    request.httpBody = body
                    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
                    let start = ContinuousClock.now
                    let (_, response) = try await session.data(for: request)
                    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                    guard (200..<300).contains(status) else { throw BenchError("HTTP \(status)") }
                    return ContinuousClock.now - start
                }
            }
            for _ in 0..<concurrency { add() }
            for try await duration in group {
                latencies.add(duration)
                add()
            }
        }
        return latencies
    }

    static func completedCount(port: Int) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v1/tenants/acme/workflows")!)
        request.setValue("Bearer admin", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        let rows = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] ?? []
        return rows.filter { ($0["status"] as? String) == "completed" || ($0["status"] as? String) == "inconclusive" }
            .count
    }
}
