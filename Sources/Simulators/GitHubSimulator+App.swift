import Foundation
import Hashing
import Hummingbird

/// GitHub App authentication as GitHub checks it: a JWT signed RS256 by the app's key, `iss` the
/// app id, `iat` in the past, `exp` at most ten minutes after `iat` and still ahead.
extension GitHubSimulator {
    struct TokenAnswer: Encodable {
        var token: String
        var expires_at: String
    }

    func addApp(_ router: Router<BasicRequestContext>) {
        addDeliveries(router, prefix: "/app/hook") { request in
            guard let app = options.app else { return "this simulator has no App" }
            let bearer = (request.headers[.authorization] ?? "").replacingOccurrences(of: "Bearer ", with: "")
            return Self.jwtProblem(bearer, app: app)
        }
        router.post("/app/installations/{installation}/access_tokens") { request, context in
            await state.log("POST \(request.uri.path)")
            guard let app = options.app else { return Self.json(["message": "Not Found"], status: .notFound) }
            let bearer = (request.headers[.authorization] ?? "").replacingOccurrences(of: "Bearer ", with: "")
            guard let problem = Self.jwtProblem(bearer, app: app) else {
                guard context.parameters.get("installation", as: Int64.self) == app.installationID else {
                    return Self.json(["message": "Not Found"], status: .notFound)
                }
                let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
                return Self.json(
                    TokenAnswer(token: await state.issueInstallationToken(), expires_at: expires), status: .created)
            }
            return Self.json(["message": problem], status: .unauthorized)
        }
    }

    /// Why a JWT is refused, or nil when it is good.
    static func jwtProblem(_ jwt: String, app: (id: Int64, publicKey: String, installationID: Int64)) -> String? {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = base64URL(parts[0]), let claimsData = base64URL(parts[1]),
            let signature = base64URL(parts[2])
        else { return "A JSON web token could not be decoded" }
        struct Header: Decodable { var alg: String }
        struct Claims: Decodable {
            var iat: Int64
            var exp: Int64
            var iss: String
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: headerData), header.alg == "RS256" else {
            return "'alg' must be RS256"
        }
        guard RS256.verify(Array(signature), of: Array("\(parts[0]).\(parts[1])".utf8), publicKeyPEM: app.publicKey)
        else {
            return "A JSON web token could not be decoded"
        }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: claimsData) else {
            return "'iat', 'exp' and 'iss' are required"
        }
        let now = Int64(Date().timeIntervalSince1970)
        guard claims.iss == String(app.id) else { return "'Issuer' claim ('iss') must be the app's id" }
        guard claims.iat <= now, claims.exp > now else { return "'Expiration time' claim ('exp') is not valid now" }
        guard claims.exp - claims.iat <= 660 else { return "'Expiration time' claim ('exp') is too far in the future" }
        return nil
    }

    static func base64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
