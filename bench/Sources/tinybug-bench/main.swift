import Foundation
import Hashing
import Ingress

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
    let store = FileManager.default.temporaryDirectory.appendingPathComponent(
        "tinybug-bench-store-\(UUID().uuidString.prefix(8))")
    let result = try await LoadBenchmark(
        tinybug: binaries.appendingPathComponent("tinybug"), fixtures: root.appendingPathComponent("fixtures"),
        storeEnvironment: ["TINYBUG_STORE": "file://\(store.path)"], storeName: "file",
        workflows: option("workflows", 50),
        mutants: option("mutants", 10), concurrency: option("concurrency", 8)
    ).run()
    try? FileManager.default.removeItem(at: store)
    print(String(decoding: try Report.encoder.encode(result), as: UTF8.self))
case "tick":
    let result = try await Growth(
        tinybug: binaries.appendingPathComponent("tinybug"), fixtures: root.appendingPathComponent("fixtures")
    ).tickCost(due: option("due", 1000))
    print(String(decoding: try Report.encoder.encode(result), as: UTF8.self))
case "all":
    try await Report.runAll(root: root, binaries: binaries)
default:
    print(
        "usage: tinybug-bench ingress | load [--workflows W --mutants N --concurrency C] | tick [--due N] | all [--bin FOLDER]"
    )
    exit(2)
}
