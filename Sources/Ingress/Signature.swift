import Hashing
import Workflow

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a request's signature was refused. Every case answers 401.
public enum SignatureError: Error, Equatable, Sendable {
    case missingHeader(String)
    case malformed(String)
    case mismatch
    /// A timestamped signature outside the accepted window (a replay).
    case expired
}

/// Webhook signature checks. They run on the raw body before any JSON is parsed.
public enum Signature {
    /// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.
    public static func verifyGitHub(header: String?, body: Data, secret: Secret) throws(SignatureError) {
        guard let header else { throw .missingHeader(CIContract.GitHub.signatureHeader) }
        guard !secret.isBlank else { throw .mismatch }
        guard header.hasPrefix("sha256="), let given = Hex.decode(header.dropFirst(7)), given.count == 32 else {
            throw .malformed(CIContract.GitHub.signatureHeader)
        }
        guard ConstantTime.equals(HMAC.sha256(key: secret.bytes, body), given) else { throw .mismatch }
    }

    /// The header GitHub would send for `body`.
    public static func gitHubHeader(body: Data, secret: Secret) -> String {
        "sha256=" + Hex.encode(HMAC.sha256(key: secret.bytes, body))
    }
}
