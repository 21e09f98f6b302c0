import Hashing
import Workflow

/// Who may act on a tenant: the admin token anywhere, a tenant's API token on its own tenant only.
/// The shell reads the token from the request (a bearer token, or the pages' Basic password).
extension Orchestrator {
    /// The tenant `token` may act on, or why not.
    public func authorize(token: String?, tenant id: String) throws(ContractError) -> Tenant {
        guard Identifier.isValidTenant(id) else { throw ContractError(400, "invalid tenant id \(id)") }
        guard let token else { throw ContractError(401, "missing bearer token") }
        guard !token.allSatisfy(\.isWhitespace) else { throw ContractError(401, "missing bearer token") }
        if adminToken?.matches(token) == true {
            return try tenants.require(id)
        }
        guard let tenant = tenants[id], tenant.apiToken?.matches(token) == true else {
            throw ContractError(401, "wrong bearer token")
        }
        return tenant
    }
}
