import Foundation

/// The token an `Authorization` header carries: read here, in the HTTP shell, and handed to the
/// orchestrator, which only compares it.
enum Credentials {
    /// `Bearer <token>`.
    static func bearer(_ header: String?) -> String? {
        guard let header, header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst(7))
    }

    /// A bearer token, or the password of `Basic` credentials (how a browser signs in to the pages).
    static func bearerOrBasicPassword(_ header: String?) -> String? {
        if let token = bearer(header) { return token }
        guard let header, header.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(header.dropFirst(6))),
            let credentials = String(data: decoded, encoding: .utf8), let colon = credentials.firstIndex(of: ":")
        else { return nil }
        return String(credentials[credentials.index(after: colon)...])
    }
}
