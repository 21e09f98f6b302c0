import Foundation
import Hashing
import Workflow

/// Who may act on a tenant: the admin token anywhere, a tenant's API token on its own tenant only.
/// The control API checks it as a bearer token, the pages as the Basic password.
extension Orchestrator {
    /// The tenant `token` may act on, or why not.
    public func authorize(token: String?, tenant id: String) throws(ContractError) -> Tenant {
        guard Identifier.isValidTenant(id) else { throw ContractError(400, "invalid tenant id \(id)") }
        guard let token else { throw ContractError(401, "missing bearer token") }
        guard !token.allSatisfy(\.isWhitespace) else { throw ContractError(401, "missing bearer token") }
        if let adminToken, !adminToken.isBlank, ConstantTime.equals(token, adminToken.value) {
            guard let tenant = tenants[id] else { throw ContractError(404, "unknown tenant \(id)") }
            return tenant
        }
        guard let tenant = tenants[id], let apiToken = tenant.apiToken, !apiToken.isBlank,
            ConstantTime.equals(token, apiToken.value)
        else {
            throw ContractError(401, "wrong bearer token")
        }
        return tenant
    }

    /// The token of an `Authorization` header: `Bearer <token>`, or the password of `Basic` credentials.
    public static func token(fromAuthorization header: String?) -> String? {
        guard let header else { return nil }
        if header.hasPrefix("Bearer ") { return String(header.dropFirst(7)) }
        guard header.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(header.dropFirst(6))),
            let credentials = String(data: decoded, encoding: .utf8), let colon = credentials.firstIndex(of: ":")
        else { return nil }
        return String(credentials[credentials.index(after: colon)...])
    }
}
