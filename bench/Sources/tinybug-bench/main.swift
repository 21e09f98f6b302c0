import Foundation
import Hashing
import Ingress
import Simulators

// Benchmarks; see bench/README.md. `make bench` runs them all and writes bench/results.json.
let arguments = Array(CommandLine.arguments.dropFirst())
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()
func option(_ name: String, _ fallback: Int) -> Int {
    arguments.firstIndex(of: "--\(name)").flatMap { Int(arguments[$0 + 1]) } ?? fallback
}
let binaries = URL(
    fileURLWithPath: arguments.firstIndex(of: "--bin").map { arguments[$0 + 1] }
        ?? root.appendingPathComponent(".build-release/release").path)

switch arguments.first {
case "ingress":
    try IngressBenchmark.run(fixtures: root.appendingPathComponent("fixtures"))
case "load":
    func load(_ environment: [String: String], _ name: String) async throws -> LoadBenchmark.Result {
        try await LoadBenchmark(
            tinybug: binaries.appendingPathComponent("tinybug"), fixtures: root.appendingPathComponent("fixtures"),
            storeEnvironment: environment, storeName: name, workflows: option("workflows", 50),
            mutants: option("mutants", 10), concurrency: option("concurrency", 8)
        ).run()
    }
    var result: LoadBenchmark.Result? = nil
    if arguments.contains("s3") {
        try await SeaweedServer.with { endpoint in result = try await load(Report.s3Environment(endpoint), "s3") }
    } else {
        try await Report.withFileStore { environment in result = try await load(environment, "file") }
    }
    print(String(decoding: try Report.encoder.encode(result!), as: UTF8.self))
case "tick":
    let result = try await Growth(
        tinybug: binaries.appendingPathComponent("tinybug"), fixtures: root.appendingPathComponent("fixtures")
    ).tickCost(due: option("due", 1000))
    print(String(decoding: try Report.encoder.encode(result), as: UTF8.self))
case "batches":
    let cost = BatchCost(
        mutants: option("mutants", 20), setupSeconds: Int64(option("setup", 120)),
        testSeconds: Int64(option("tests", 20)),
        slots: option("slots", 4))
    print("| mutants per run | CI runs | CI minutes | wall time (min) | killed | survived |")
    print("|---|---|---|---|---|---|")
    for row in cost.rows() {
        print(
            "| \(row.mutantsPerRun) | \(row.ciRuns) | \(String(format: "%.1f", row.ciMinutes)) | "
                + "\(String(format: "%.1f", row.wallMinutes)) | \(row.killed) | \(row.survived) |")
    }
case "all":
    try await Report.runAll(root: root, binaries: binaries)
default:
    print(
        "usage: tinybug-bench ingress | load [s3] [--workflows W --mutants N --concurrency C] | tick [--due N]"
            + " | batches [--mutants N --setup S --tests S --slots N] | all [--bin FOLDER]"
    )
    exit(2)
}
