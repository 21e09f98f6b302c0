#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hashing

/// Buildkite's webhook authentication: a signature over `timestamp.body`, or a plain token.
extension Signature {
    /// How far a Buildkite signature's timestamp may be from now, either way.
    public static let buildkiteWindowSeconds: Int64 = 300

    /// `X-Buildkite-Signature: timestamp=<unix seconds>,signature=<hex HMAC-SHA256 of "timestamp.body">`,
    /// refused outside ±5 minutes of `now` so a captured delivery cannot be replayed later.
    public static func verifyBuildkite(header: String?, body: Data, secret: Secret, now: Int64) throws(SignatureError) {
        guard let header else { throw .missingHeader("X-Buildkite-Signature") }
        var timestamp: Substring? = nil
        var signature: Substring? = nil
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { throw .malformed("X-Buildkite-Signature") }
            switch String(pair[0]).trimmingWhitespace {
            case "timestamp": timestamp = pair[1]
            case "signature": signature = pair[1]
            default: continue
            }
        }
        guard let timestamp, let seconds = Int64(timestamp), let signature, let given = Hex.decode(signature), given.count == 32
        else { throw .malformed("X-Buildkite-Signature") }
        let expected = HMAC.sha256(key: secret.bytes, Array("\(timestamp).".utf8) + Array(body))
        guard ConstantTime.equals(expected, given) else { throw .mismatch }
        let (distance, overflow) = now.subtractingReportingOverflow(seconds)
        guard !overflow, distance.magnitude <= buildkiteWindowSeconds.magnitude else { throw .expired }
    }

    /// `X-Buildkite-Token: <token>`, for a tenant that configured a token instead of a secret.
    public static func verifyBuildkiteToken(header: String?, token: Secret) throws(SignatureError) {
        guard let header else { throw .missingHeader("X-Buildkite-Token") }
        guard ConstantTime.equals(header, token.value) else { throw .mismatch }
    }

    /// The header Buildkite would send for `body` at `timestamp`.
    public static func buildkiteHeader(body: Data, secret: Secret, timestamp: Int64) -> String {
        let mac = HMAC.sha256(key: secret.bytes, Array("\(timestamp).".utf8) + Array(body))
        return "timestamp=\(timestamp),signature=\(Hex.encode(mac))"
    }
}
