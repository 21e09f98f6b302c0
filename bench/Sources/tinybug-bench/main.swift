import Foundation
import Hashing
import Ingress

// Benchmarks that need no server. `swift run -c release tinybug-bench ingress` (see bench/README.md).
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "ingress":
    try IngressBenchmark.run(fixtures: IngressBenchmark.fixturesFolder())
default:
    print("usage: tinybug-bench ingress")
    exit(2)
}
