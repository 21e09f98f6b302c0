import Foundation
import Hashing

/// A GitHub App: its id and private key. Tenants that use it get installation tokens, made from
/// a short-lived JWT (RS256) and cached until shortly before they expire.
public struct GitHubApp: Sendable {
    public var appID: Int64
    public var privateKey: Secret

    public init(appID: Int64, privateKey: Secret) {
        self.appID = appID
        self.privateKey = privateKey
    }

    /// The app's JWT: `iat` 60 s in the past (clock drift), `exp` 9 minutes ahead (GitHub allows 10).
    public func jwt(now: Int64) throws(RS256.KeyError) -> String {
        let header = JWT.base64URL(Data(#"{"alg":"RS256","typ":"JWT"}"#.utf8))
        let claims = JWT.base64URL(Data(#"{"exp":\#(now + 540),"iat":\#(now - 60),"iss":"\#(appID)"}"#.utf8))
        let signingInput = "\(header).\(claims)"
        let signature = try RS256.sign(Array(signingInput.utf8), privateKeyPEM: privateKey.value)
        return "\(signingInput).\(JWT.base64URL(Data(signature)))"
    }
}

/// The JSON Web Token encoding helpers GitHub App authentication needs.
public enum JWT {
    /// Base64url without padding (RFC 7515).
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes base64url with or without padding.
    public static func fromBase64URL(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

/// How Tinybug authenticates to GitHub for one tenant.
public enum GitHubAuth: Sendable {
    /// A token from the tenants file (a PAT or fine-grained token).
    case token(Secret)
    /// The GitHub App, through the tenant's installation.
    case app(GitHubApp, installationID: Int64)
}

/// Installation tokens by installation, shared by every request of a process. A token is reused
/// until five minutes before it expires (they live one hour), and concurrent requests for the same
/// installation wait for one exchange instead of making their own.
public actor InstallationTokens {
    struct Cached: Sendable {
        var token: Secret
        var expires: Date
    }
    private var cache: [String: Cached] = [:]
    private var exchanges: [String: Task<Cached, any Error>] = [:]
    private let margin: TimeInterval = 300

    public init() {}

    /// A bearer token for `auth`, from the cache or freshly exchanged at
    /// `POST /app/installations/{id}/access_tokens`.
    public func token(for auth: GitHubAuth, apiURL: String) async throws(RESTError) -> Secret {
        switch auth {
        case .token(let token):
            return token
        case .app(let app, let installation):
            let key = "\(apiURL)#\(installation)"
            if let cached = cache[key], cached.expires.timeIntervalSinceNow > margin { return cached.token }
            let exchange =
                exchanges[key] ?? Task { try await Self.exchange(app, installation: installation, apiURL: apiURL) }
            exchanges[key] = exchange
            defer { exchanges[key] = nil }
            do {
                let fresh = try await exchange.value
                cache[key] = fresh
                return fresh.token
            } catch let error as RESTError {
                throw error
            } catch {
                throw .transport("\(error)")
            }
        }
    }

    private static func exchange(_ app: GitHubApp, installation: Int64, apiURL: String) async throws -> Cached {
        let client = try app.client(apiURL: apiURL)
        struct Answer: Decodable {
            var token: String
            var expires_at: String
        }
        let answer = try await client.fetch(Answer.self, "POST", "/app/installations/\(installation)/access_tokens")
        let expires = ISO8601DateFormatter().date(from: answer.expires_at) ?? Date().addingTimeInterval(3600)
        return Cached(token: Secret(answer.token), expires: expires)
    }
}

extension GitHubApp {
    /// A client that speaks as the App itself, with a fresh JWT.
    func client(apiURL: String) throws(RESTError) -> RESTClient {
        let jwt: String
        do { jwt = try self.jwt(now: Int64(Date().timeIntervalSince1970)) } catch {
            throw .transport("cannot sign the app's JWT: \(error)")
        }
        return RESTClient(baseURL: apiURL, headers: GitHubClient.headers(Secret(jwt)))
    }
}
