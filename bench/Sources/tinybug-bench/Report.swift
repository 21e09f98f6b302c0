import Egress
import Engine
import Foundation
import FoundationNetworking
import Hashing
import Logging
import Simulators
import Workflow

/// Runs every benchmark, writes `bench/results.json` and prints the table for bench/README.md.
enum Report {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }

    struct All: Codable {
        var machine: String
        var date: String
        var load: [LoadBenchmark.Result]
        var coldStart: ColdStart.Result
        var growth: [Growth.Result]
        var ticks: [Growth.TickResult]
    }

    static func runAll(root: URL, binaries: URL) async throws {
        let fixtures = root.appendingPathComponent("fixtures")
        let tinybug = binaries.appendingPathComponent("tinybug")
        var load: [LoadBenchmark.Result] = []
        for (workflows, mutants, concurrency) in [(20, 10, 1), (100, 10, 16)] {
            try await withFileStore { environment in
                load.append(
                    try await LoadBenchmark(
                        tinybug: tinybug, fixtures: fixtures, storeEnvironment: environment, storeName: "file",
                        workflows: workflows, mutants: mutants, concurrency: concurrency
                    ).run())
            }
            log("load file W=\(workflows) C=\(concurrency): \(Int(load.last!.eventsPerSecond)) events/s")
        }
        try await SeaweedServer.with { endpoint in
            for (workflows, mutants, concurrency) in [(20, 10, 1), (100, 10, 16)] {
                let environment = s3Environment(endpoint)
                load.append(
                    try await LoadBenchmark(
                        tinybug: tinybug, fixtures: fixtures, storeEnvironment: environment, storeName: "s3",
                        workflows: workflows, mutants: mutants, concurrency: concurrency
                    ).run())
                log("load s3 W=\(workflows) C=\(concurrency): \(Int(load.last!.eventsPerSecond)) events/s")
            }
        }
        let cold = try await ColdStart.run(binary: binaries.appendingPathComponent("pull-request"), runs: 20)
        log("cold start median \(cold.medianMilliseconds) ms")
        let growth = try await Growth(tinybug: tinybug, fixtures: fixtures).run(sizes: [1000, 10000, 100_000])
        let ticks = try await Growth(tinybug: tinybug, fixtures: fixtures).ticks()
        let all = All(
            machine: machine(), date: UTC.iso8601(SystemClock().now()), load: load, coldStart: cold, growth: growth,
            ticks: ticks)
        try encoder.encode(all).write(to: root.appendingPathComponent("bench/results.json"))
        print(table(all))
    }

    static func withFileStore(_ body: ([String: String]) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tinybug-bench-store-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await body(["TINYBUG_STORE": "file://\(folder.path)"])
    }

    static func s3Environment(_ endpoint: SeaweedServer.Endpoint) -> [String: String] {
        [
            "TINYBUG_STORE": "s3://\(endpoint.bucket)/bench-\(UUID().uuidString.prefix(8).lowercased())",
            "TINYBUG_S3_ENDPOINT": endpoint.url,
            "AWS_ACCESS_KEY_ID": endpoint.accessKey, "AWS_SECRET_ACCESS_KEY": endpoint.secretKey,
            "AWS_REGION": "us-east-1",
        ]
    }

    static func log(_ line: String) { FileHandle.standardError.write(Data("bench: \(line)\n".utf8)) }

    static func machine() -> String {
        let memory = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?.split(separator: "\n").first ?? ""
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(memory.filter(\.isNumber).prefix(8)) kB RAM"
    }

    static func table(_ all: All) -> String {
        var lines = [
            "Machine: \(all.machine); \(all.date).", "",
            "| store | W×N | C | events/s | CPU ms/event | peak RSS MB | PR p50/p99 ms | completion p50/p99 ms |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in all.load {
            let pr = r.latency["pull_request"] ?? [:]
            let done = r.latency["completion (mutant)"] ?? [:]
            lines.append(
                String(
                    format: "| %@ | %d×%d | %d | %.0f | %.2f | %.1f | %.1f / %.1f | %.1f / %.1f |", r.store,
                    r.workflows, r.mutants,
                    r.concurrency, r.eventsPerSecond, r.cpuMillisecondsPerEvent, r.peakRSSMegabytes, pr["p50"] ?? 0,
                    pr["p99"] ?? 0,
                    done["p50"] ?? 0, done["p99"] ?? 0))
        }
        lines += [
            "",
            String(
                format: "Cold start (exec → first 2xx), median of %d: %.1f ms.", all.coldStart.runs,
                all.coldStart.medianMilliseconds), "",
            "| stored workflows | event p50 ms | event p99 ms | CPU ms/event |", "|---|---|---|---|",
        ]
        for g in all.growth {
            lines.append(
                String(format: "| %d | %.2f | %.2f | %.2f |", g.stored, g.p50, g.p99, g.cpuMillisecondsPerEvent))
        }
        lines += ["", "| store | stored workflows | due | tick ms |", "|---|---|---|---|"]
        for t in all.ticks {
            lines.append(String(format: "| %@ | %d | %d | %.1f |", t.store, t.stored, t.due, t.milliseconds))
        }
        return lines.joined(separator: "\n")
    }
}

/// From exec of a function binary to its first 2xx answer.
enum ColdStart {
    struct Result: Codable {
        var runs: Int
        var medianMilliseconds: Double
        var allMilliseconds: [Double]
    }

    static func run(binary: URL, runs: Int) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tinybug-cold-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let tenants = folder.appendingPathComponent("tenants.json")
        try #"{"tenants":[]}"#.write(to: tenants, atomically: true, encoding: .utf8)
        var times: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let served = try await Served.start(
                binary,
                environment: [
                    "PORT": "0", "TINYBUG_STORE": "file://\(folder.path)/store", "TINYBUG_TENANTS": tenants.path,
                    "LOG_FORMAT": "json",
                ], folder: folder)
            while true {
                if let (_, response) = try? await URLSession.shared.data(
                    from: URL(string: "http://127.0.0.1:\(served.port)/healthz")!),
                    (response as? HTTPURLResponse)?.statusCode == 200
                {
                    break
                }
            }
            let elapsed = ContinuousClock.now - start
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            await served.stop()
        }
        return Result(runs: runs, medianMilliseconds: times.sorted()[times.count / 2], allMilliseconds: times)
    }
}
