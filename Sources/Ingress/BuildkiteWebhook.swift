import Hashing
import Workflow

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a Buildkite delivery means to Tinybug.
public enum BuildkiteWebhook: Equatable, Sendable {
    case ping
    /// A build finished. `eventID` is derived from the build and its final state, since Buildkite
    /// sends no delivery id: a redelivery of the same outcome gets the same id.
    case buildFinished(job: JobKey?, CIConclusion, buildNumber: Int, url: String?, eventID: String)
    case ignored(String)

    struct Build: Decodable {
        var id: String
        var number: Int
        var state: String
        var web_url: String?
        var meta_data: [String: String]?
    }

    struct Payload: Decodable {
        var event: String?
        var build: Build
    }

    /// `failed` means the tests failed, `passed` that they passed; the rest are infrastructure outcomes.
    public static func conclusion(_ state: String) -> CIConclusion { CIProvider.buildkite.conclusion(state) }

    /// Decodes a delivery of event `event` (`X-Buildkite-Event`). Call only after it was authenticated.
    public static func decode(event: String, body: Data) throws(PayloadError) -> BuildkiteWebhook {
        switch event {
        case "ping":
            return .ping
        case CIProvider.buildkite.finishedEvent:
            let build = try PayloadError.decode(Payload.self, from: body).build
            let job = build.meta_data?[CIContract.Input.job].flatMap { JobKey(parsing: $0) }
            return .buildFinished(
                job: job, conclusion(build.state), buildNumber: build.number, url: build.web_url,
                eventID: "buildkite:\(build.id):\(build.state)")
        default:
            return .ignored("event \(event)")
        }
    }

    /// The delivery as the provider-neutral `CIDelivery`.
    var delivery: CIDelivery {
        switch self {
        case .ping: .ping
        case .ignored(let reason): .ignored(reason)
        case .buildFinished(let job, let conclusion, let number, let url, let eventID):
            .finished(job: job, conclusion, runID: Int64(number), url: url, eventID: eventID)
        }
    }
}

extension CIProvider {
    /// Authenticates a delivery on the provider's own webhook route: the signature when the tenant
    /// has a secret (and the delivery is signed or no token is configured), else the token.
    public func authenticate(
        header: (String) -> String?, body: Data, credentials: CIWebhookCredentials, now: Int64
    ) throws(SignatureError) {
        switch self {
        case .githubActions:
            // Its runs report through the GitHub routes, which check GitHub's signature.
            throw .missingHeader(signatureHeader)
        case .buildkite:
            let signature = header(signatureHeader)
            if let secret = credentials.secret, signature != nil || credentials.token == nil {
                try Signature.verifyBuildkite(header: signature, body: body, secret: secret, now: now)
            } else if let token = credentials.token {
                try Signature.verifyBuildkiteToken(header: tokenHeader.flatMap(header), token: token)
            } else {
                throw .missingHeader(signatureHeader)
            }
        }
    }

    /// Decodes an authenticated delivery of `event` on the provider's own webhook route.
    public func decodeDelivery(event: String, body: Data) throws(PayloadError) -> CIDelivery {
        switch self {
        case .githubActions: .ignored("GitHub Actions runs report through the GitHub webhook routes")
        case .buildkite: try BuildkiteWebhook.decode(event: event, body: body).delivery
        }
    }

    /// The headers the provider would send with `body` (`tinybug send`, tests).
    public func signedHeaders(body: Data, secret: Secret, event: String, now: Int64) -> [String: String] {
        switch self {
        case .githubActions:
            [eventHeader: event, signatureHeader: Signature.gitHubHeader(body: body, secret: secret)]
        case .buildkite:
            [
                eventHeader: event,
                signatureHeader: Signature.buildkiteHeader(body: body, secret: secret, timestamp: now),
            ]
        }
    }

    /// Whether `payload` looks like one of the provider's deliveries: Buildkite's name their event in
    /// the body and carry a `build` or `service`.
    public func owns(payload object: [String: Any]) -> Bool {
        switch self {
        case .githubActions: object["workflow_run"] != nil
        case .buildkite: object["event"] is String && (object["build"] != nil || object["service"] != nil)
        }
    }
}

/// Buildkite's webhook authentication: a signature over `timestamp.body`, or a plain token.
extension Signature {
    /// How far a Buildkite signature's timestamp may be from now, either way.
    public static let buildkiteWindowSeconds: Int64 = 300

    /// `X-Buildkite-Signature: timestamp=<unix seconds>,signature=<hex HMAC-SHA256 of "timestamp.body">`,
    /// refused outside ±5 minutes of `now` so a captured delivery cannot be replayed later.
    public static func verifyBuildkite(header: String?, body: Data, secret: Secret, now: Int64) throws(SignatureError) {
        guard let header else { throw .missingHeader(CIProvider.buildkite.signatureHeader) }
        guard !secret.isBlank else { throw .mismatch }
        var timestamp: Substring? = nil
        var signature: Substring? = nil
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { throw .malformed(CIProvider.buildkite.signatureHeader) }
            switch String(pair[0]).trimmingWhitespace {
            case "timestamp": timestamp = pair[1]
            case "signature": signature = pair[1]
            default: continue
            }
        }
        guard let timestamp, let seconds = Int64(timestamp), let signature, let given = Hex.decode(signature),
            given.count == 32
        else { throw .malformed(CIProvider.buildkite.signatureHeader) }
        let expected = HMAC.sha256(key: secret.bytes, Array("\(timestamp).".utf8) + Array(body))
        guard ConstantTime.equals(expected, given) else { throw .mismatch }
        let (distance, overflow) = now.subtractingReportingOverflow(seconds)
        guard !overflow, distance.magnitude <= buildkiteWindowSeconds.magnitude else { throw .expired }
    }

    /// `X-Buildkite-Token: <token>`, for a tenant that configured a token instead of a secret.
    public static func verifyBuildkiteToken(header: String?, token: Secret) throws(SignatureError) {
        guard let header else { throw .missingHeader(CIProvider.buildkite.tokenHeader ?? "") }
        guard token.matches(header) else { throw .mismatch }
    }

    /// The header Buildkite would send for `body` at `timestamp`.
    public static func buildkiteHeader(body: Data, secret: Secret, timestamp: Int64) -> String {
        let mac = HMAC.sha256(key: secret.bytes, Array("\(timestamp).".utf8) + Array(body))
        return "timestamp=\(timestamp),signature=\(Hex.encode(mac))"
    }
}
