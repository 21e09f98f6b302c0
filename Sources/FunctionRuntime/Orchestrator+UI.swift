import Engine
import Foundation
import Hashing
import Workflow

/// The pages people look at, behind HTTP Basic auth with the tenant's API token as the password
/// (the admin token sees every tenant). Tokens never appear in URLs or pages.
extension Orchestrator {
    public struct Page: Sendable {
        public var status: Int
        public var html: String
        public var challenge: Bool
    }

    /// The Basic password, checked like a bearer token; nil when access is allowed.
    public func authorizePage(_ authorization: String?, tenant: String) -> Page? {
        guard let authorization, authorization.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6))),
            let credentials = String(data: decoded, encoding: .utf8), let colon = credentials.firstIndex(of: ":")
        else { return Page(status: 401, html: HTML.page(title: "Sign in", body: "<p>Sign in with your API token as the password.</p>"), challenge: true) }
        let password = String(credentials[credentials.index(after: colon)...])
        guard let refused = authorize("Bearer \(password)", tenant: tenant) else { return nil }
        let missing = refused.status == 404
        let html = HTML.page(title: missing ? "Not found" : "Sign in", body: missing ? "<p>No such tenant.</p>" : "<p>Wrong token.</p>")
        return Page(status: refused.status, html: html, challenge: refused.status == 401)
    }

    public func tenantPage(_ tenant: String, status: String?, repository: String?, page: Int) async -> Page {
        do {
            let rows = try await summaries(tenant: tenant)
            let query = TenantPage.Query(status: status, repository: repository, page: page)
            return Page(status: 200, html: TenantPage.render(tenant: tenant, rows: rows, query: query), challenge: false)
        } catch {
            return Page(status: 503, html: HTML.page(title: "Unavailable", body: "<p>The store is unavailable.</p>"), challenge: false)
        }
    }

    public func workflowPage(_ tenant: String, workflow: String) async -> Page {
        guard Identifier.isValid(workflow) else { return Page(status: 400, html: HTML.page(title: "Bad id", body: "<p>Invalid workflow id.</p>"), challenge: false) }
        do {
            guard let (document, _) = try await engine.load(tenant: tenant, id: workflow) else {
                return Page(status: 404, html: HTML.page(title: "Not found", body: "<p>No such workflow.</p>"), challenge: false)
            }
            return Page(status: 200, html: WorkflowPage.render(document), challenge: false)
        } catch {
            return Page(status: 503, html: HTML.page(title: "Unavailable", body: "<p>The store is unavailable.</p>"), challenge: false)
        }
    }
}
