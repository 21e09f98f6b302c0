import Foundation
import Hashing
import Ingress

/// The cost of checking a webhook's signature and decoding it, for a realistic small payload and
/// for a 1 MiB one (a PR body that large is rare but allowed).
enum IngressBenchmark {
    struct Result: Codable {
        var payload: String
        var bytes: Int
        var iterations: Int
        var verifyMicroseconds: Double
        var decodeMicroseconds: Double
        var totalMicroseconds: Double
        var megabytesPerSecond: Double
    }

    static func fixturesFolder() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures")
    }

    static func run(fixtures: URL) throws {
        let small = try Data(contentsOf: fixtures.appendingPathComponent("github/pull_request.opened.json"))
        let large = try padded(small, to: 1024 * 1024)
        let results = [
            try measure("pull_request.opened", small, iterations: 20_000),
            try measure("pull_request 1 MiB", large, iterations: 200),
        ]
        print("| payload | bytes | verify µs | decode µs | total µs | MB/s |")
        print("|---|---|---|---|---|---|")
        for r in results {
            print(
                String(
                    format: "| %@ | %d | %.1f | %.1f | %.1f | %.0f |", r.payload, r.bytes, r.verifyMicroseconds,
                    r.decodeMicroseconds, r.totalMicroseconds, r.megabytesPerSecond))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(results), as: UTF8.self))
    }

    /// The same payload with its PR body grown until the whole is `size` bytes.
    static func padded(_ payload: Data, to size: Int) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: payload) as! [String: Any]
        var pr = object["pull_request"] as! [String: Any]
        pr["body"] = String(repeating: "x", count: max(0, size - payload.count - 16))
        object["pull_request"] = pr
        return try JSONSerialization.data(withJSONObject: object)
    }

    static func measure(_ name: String, _ body: Data, iterations: Int) throws -> Result {
        let secret = Secret("benchmark-secret")
        let header = Signature.gitHubHeader(body: body, secret: secret)
        let verify = try time(iterations) { try Signature.verifyGitHub(header: header, body: body, secret: secret) }
        let decode = try time(iterations) { _ = try GitHubWebhook.decode(event: "pull_request", body: body) }
        let total = verify + decode
        return Result(
            payload: name, bytes: body.count, iterations: iterations, verifyMicroseconds: verify,
            decodeMicroseconds: decode,
            totalMicroseconds: total, megabytesPerSecond: Double(body.count) / total)
    }

    /// Mean microseconds per call, after a warm-up of a tenth of the iterations.
    static func time(_ iterations: Int, _ body: () throws -> Void) throws -> Double {
        for _ in 0..<max(1, iterations / 10) { try body() }
        let start = ContinuousClock.now
        for _ in 0..<iterations { try body() }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds * 1e6 / Double(iterations)
    }
}
