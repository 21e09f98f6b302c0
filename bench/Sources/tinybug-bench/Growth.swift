import Egress
import Engine
import Foundation
import FoundationNetworking
import FunctionRuntime
import Hashing
import Logging
import Simulators
import Workflow

/// How cost grows with what is stored: per-event cost with many stored workflows, and a tick's
/// cost with many stored and a few due.
struct Growth {
    struct Result: Codable {
        var stored: Int
        var p50: Double
        var p99: Double
        var cpuMillisecondsPerEvent: Double
    }
    struct TickResult: Codable {
        var store: String
        var stored: Int
        var due: Int
        var milliseconds: Double
        /// The serving process's CPU time over the tick.
        var cpuMilliseconds: Double?
        /// What the tick said it did (its JSON answer).
        var answer: String?
    }

    /// One tick over `due` due workflows on the file store: wall time and CPU per due workflow.
    func tickCost(due: Int) async throws -> TickResult {
        var result: TickResult? = nil
        try await Report.withFileStore { environment in
            let root = String(environment["TINYBUG_STORE"]!.dropFirst("file://".count))
            result = try await tick(
                store: try FileStore(root: root), environment: environment, name: "file", stored: 0, due: due)
        }
        return result!
    }

    let tinybug: URL
    let fixtures: URL

    func run(sizes: [Int]) async throws -> [Result] {
        var results: [Result] = []
        for size in sizes {
            try await Report.withFileStore { environment in
                let root = String(environment["TINYBUG_STORE"]!.dropFirst("file://".count))
                try Self.populate(root: root, count: size)
                let load = try await LoadBenchmark(
                    tinybug: tinybug, fixtures: fixtures, storeEnvironment: environment, storeName: "file",
                    workflows: 20, mutants: 5, concurrency: 1
                ).run()
                let all = load.latency.values
                results.append(
                    Result(
                        stored: size, p50: all.map { $0["p50"] ?? 0 }.max() ?? 0,
                        p99: all.map { $0["p99"] ?? 0 }.max() ?? 0,
                        cpuMillisecondsPerEvent: load.cpuMillisecondsPerEvent))
                Report.log("growth \(size): p50 \(results.last!.p50) ms")
            }
        }
        return results
    }

    /// `count` finished workflows of another repository, written straight into the store's folder.
    static func populate(root: String, count: Int) throws {
        let folder = "\(root)/tenants/acme/workflows"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let template = try finishedDocument()
        for index in 0..<count {
            _ = FileManager.default.createFile(
                atPath: "\(folder)/acme--archive--pr\(index)--\(String(format: "%012x", index)).json",
                contents: template)
        }
    }

    static func finishedDocument() throws -> Data {
        var run = Run.start(
            id: "acme--archive--pr0--000000000000", tenant: "acme",
            pullRequest: PullRequest(owner: "acme", repo: "archive", number: 0, headSHA: "000000000000", headRef: "x"),
            settings: Settings(maxMutants: 10, maxConcurrentJobs: 10), now: .seconds(1_767_225_600)
        ).0
        (run, _) = Run.transition(run, .filesListed([LoadBenchmark.file(lines: 10)]), now: .seconds(1_767_225_601))
        (run, _) = Run.transition(
            run,
            .ciFinished(
                JobKey(tenant: "acme", workflow: run.id, job: .baseline, attempt: 1), .passed, ciRunID: 1, url: nil),
            now: .seconds(1_767_225_700))
        for id in 0..<10 {
            (run, _) = Run.transition(
                run,
                .ciFinished(
                    JobKey(tenant: "acme", workflow: run.id, job: .mutant(id), attempt: 1), .passed, ciRunID: 1,
                    url: nil), now: .seconds(1_767_225_800))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(StoredRun(state: run))
    }

    struct StoredRun: Encodable {
        var schemaVersion = 1
        var state: Run
    }

    /// One tick over 100 due workflows, with few or many others stored, on the file store and S3.
    func ticks() async throws -> [TickResult] {
        var results: [TickResult] = []
        for stored in [0, 10_000] {
            try await Report.withFileStore { environment in
                let root = String(environment["TINYBUG_STORE"]!.dropFirst("file://".count))
                try Self.populate(root: root, count: stored)
                let store = try FileStore(root: root)
                results.append(try await tick(store: store, environment: environment, name: "file", stored: stored))
            }
        }
        try await SeaweedServer.with { endpoint in
            for stored in [0, 2000] {
                let environment = Report.s3Environment(endpoint)
                let store = try FunctionApp.makeStore(try FunctionConfig(environment: environment))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let template = try Self.finishedDocument()
                    for batch in stride(from: 0, to: stored, by: 100) {
                        group.addTask {
                            for index in batch..<min(batch + 100, stored) {
                                try await store.put(
                                    StoreKey.workflow(
                                        tenant: "acme",
                                        id: "acme--archive--pr\(index)--\(String(format: "%012x", index))"), template)
                            }
                        }
                        if batch % 800 == 700 { try await group.waitForAll() }
                    }
                    try await group.waitForAll()
                }
                results.append(try await tick(store: store, environment: environment, name: "s3", stored: stored))
            }
        }
        return results
    }

    /// Makes `due` workflows whose jobs are an hour past due, then times one `POST /timer`.
    private func tick(
        store: any DocumentStore, environment: [String: String], name: String, stored: Int, due: Int = 100
    ) async throws -> TickResult {
        let clock = ManualClock(Instant(milliseconds: SystemClock().now().milliseconds - 7_200_000))
        var quiet = Logger(label: "bench")
        quiet.logLevel = .warning
        let engine = Engine<Run>(store: store, clock: clock, logger: quiet)
        for index in 0..<due {
            let pr = PullRequest(
                owner: "acme", repo: "shop", number: 10_000 + index,
                headSHA: Hex.encode(SHA256.digest(Array("due\(index)".utf8)).prefix(20)), headRef: "x")
            let id = Identifier.workflow(for: pr)
            _ = try await engine.create(tenant: "acme", id: id, eventID: "seed") { now in
                Run.start(id: id, tenant: "acme", pullRequest: pr, settings: Settings(jobTimeoutSeconds: 600), now: now)
            }
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let simulator = GitHubSimulator(
            options: .init(
                token: LoadBenchmark.token, owner: "acme", repo: "shop", pullNumber: 0,
                files: [LoadBenchmark.file(lines: 3)], webhookURL: "", webhookSecret: "x", jobDuration: .seconds(86400))
        )
        return try await LoopbackServer.withRunning({ simulator.application(logger: logger, onServerRunning: $0) }) {
            githubPort in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "tinybug-tick-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let tenants = folder.appendingPathComponent("tenants.json")
            try #"{"tenants":[{"id":"acme","github":{"webhookSecret":"env:S","token":"env:T"}}]}"#.write(
                to: tenants, atomically: true, encoding: .utf8)
            let served = try await Served.start(
                tinybug, arguments: ["serve"],
                environment: environment.merging([
                    "PORT": "0", "TINYBUG_TENANTS": tenants.path, "GITHUB_API_URL": "http://127.0.0.1:\(githubPort)",
                    "S": "s", "T": LoadBenchmark.token,
                    "TINYBUG_TICK_SECONDS": "86400", "TINYBUG_TIMER_TOKEN": "tick", "LOG_LEVEL": "notice",
                ]) { $1 }, folder: folder)
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(served.port)/timer")!)
            request.httpMethod = "POST"
            request.timeoutInterval = 120
            request.setValue("Bearer tick", forHTTPHeaderField: "Authorization")
            let cpuBefore = served.cpuMilliseconds
            let start = ContinuousClock.now
            let (body, _) = try await URLSession.shared.data(for: request)
            let elapsed = ContinuousClock.now - start
            let cpu = served.cpuMilliseconds - cpuBefore
            await served.stop()
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            Report.log("tick \(name) stored \(stored): \(ms) ms")
            return TickResult(
                store: name, stored: stored + due, due: due, milliseconds: ms, cpuMilliseconds: cpu,
                answer: String(decoding: body, as: UTF8.self))
        }
    }
}
