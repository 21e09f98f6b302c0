import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Orchestration

/// The control API's routes (CONTRACT.md `/api/v1`) and the pages, each behind tenant auth.
extension FunctionApp {
    static func addControl(_ router: Router<TinybugRequestContext>, orchestrator: Orchestrator) {
        let api = router.group("/api/v1/tenants/{tenant}")
            .add(middleware: TenantAuthMiddleware(orchestrator: orchestrator, style: .bearer))
        /// Counts the answer (or refusal) as a control event and answers it as JSON.
        @Sendable func control<Value: Encodable & Sendable>(
            _ context: TinybugRequestContext, _ body: (Orchestrator) async throws(ContractError) -> Value
        ) async throws(ContractError) -> JSONAnswer<Value> {
            do {
                let value = try await body(orchestrator.with(logger: context.logger))
                orchestrator.telemetry.event("control", status: 200)
                return JSONAnswer(value: value)
            } catch {
                orchestrator.telemetry.event("control", status: error.statusCode)
                throw error
            }
        }
        api.get("workflows") { _, context in
            try await control(context) { orchestrator throws(ContractError) in
                try await orchestrator.summaries(tenant: context.tenantID)
            }
        }
        api.get("workflows/{workflow}") { _, context in
            try await control(context) { orchestrator throws(ContractError) in
                try await orchestrator.document(
                    tenant: context.tenantID, workflow: context.parameters.get("workflow") ?? "")
            }
        }
        api.get("workflows/{workflow}/report") { _, context in
            try await control(context) { orchestrator throws(ContractError) in
                try await orchestrator.report(
                    tenant: context.tenantID, workflow: context.parameters.get("workflow") ?? "")
            }
        }
        api.post("workflows/{workflow}/{action}") { _, context in
            try await control(context) { orchestrator throws(ContractError) in
                let verb = try SteeringVerb(context.parameters.get("action"))
                return try await orchestrator.steer(
                    tenant: context.tenantID, workflow: context.parameters.get("workflow") ?? "", verb)
            }
        }
        api.post("{action}") { _, context in
            try await control(context) { orchestrator throws(ContractError) in
                try await orchestrator.steerTenant(context.tenantID, SteeringVerb(context.parameters.get("action")))
            }
        }
        addPages(router, orchestrator: orchestrator)
    }

    /// `GET /ui/tenants/{tenant}` and `GET /ui/tenants/{tenant}/workflows/{workflow}`.
    static func addPages(_ router: Router<TinybugRequestContext>, orchestrator: Orchestrator) {
        let pages = router.group("/ui/tenants/{tenant}")
            .add(middleware: TenantAuthMiddleware(orchestrator: orchestrator, style: .page))
        pages.get { request, context in
            let query = request.uri.queryParameters
            do throws(ContractError) {
                let rows = try await orchestrator.with(logger: context.logger).summaries(tenant: context.tenantID)
                let page = TenantPage.Query(
                    status: query.get("status"), repository: query.get("repository"),
                    page: query.get("page", as: Int.self) ?? 1)
                return HTMLPage(html: TenantPage.render(tenant: context.tenantID, rows: rows, query: page))
            } catch {
                throw PageError(error: error)
            }
        }
        pages.get("workflows/{workflow}") { _, context in
            do throws(ContractError) {
                let document = try await orchestrator.with(logger: context.logger).document(
                    tenant: context.tenantID, workflow: context.parameters.get("workflow") ?? "")
                return HTMLPage(html: WorkflowPage.render(document))
            } catch {
                throw PageError(error: error)
            }
        }
    }
}

extension SteeringVerb {
    /// The verb a route names, or 404.
    init(_ word: String?) throws(ContractError) {
        guard let word, let verb = SteeringVerb(rawValue: word) else {
            throw ContractError(404, "unknown action \(word ?? "")")
        }
        self = verb
    }
}
