import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Orchestration
import Workflow

/// The control API's routes (CONTRACT.md `/api/v1`) and the pages, each behind tenant auth.
extension FunctionApp {
    static func addControl(_ router: Router<TinybugRequestContext>, orchestrator: Orchestrator) {
        let api = router.group("/api/v1/tenants/{tenant}")
            .add(middleware: TenantAuthMiddleware(orchestrator: orchestrator, style: .bearer))
        /// Counts the answer (or refusal) as a control event and answers it as JSON.
        @Sendable func control<Value: Encodable & Sendable>(
            _ context: TinybugRequestContext, status: HTTPResponse.Status = .ok,
            _ body: (Orchestrator) async throws(ContractError) -> Value
        ) async throws(ContractError) -> JSONAnswer<Value> {
            do {
                let value = try await body(orchestrator.with(logger: context.logger))
                orchestrator.telemetry.event("control", status: Int(status.code))
                return JSONAnswer(value: value, status: status)
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
        api.post("workflows/{workflow}/rerun") { request, context in
            let only = try await RerunBody.selection(request, context: context)
            return try await control(context, status: .accepted) { orchestrator throws(ContractError) in
                try await orchestrator.rerun(
                    tenant: context.tenantID, workflow: context.parameters.get("workflow") ?? "", only: only)
            }
        }
        api.post("workflows/{workflow}/restart") { _, context in
            try await control(context, status: .accepted) { orchestrator throws(ContractError) in
                try await orchestrator.restart(
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

/// The rerun route's body: `{"only": "survived" | "errored" | "all"}`; an empty body means survived.
struct RerunBody: Decodable {
    var only: String?

    static func selection(_ request: Request, context: TinybugRequestContext) async throws(ContractError)
        -> RerunSelection
    {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: 4096) } catch {
            throw ContractError(413, "the rerun body is over 4 KiB")
        }
        guard buffer.readableBytes > 0 else { return .survived }
        let body: RerunBody
        do { body = try JSONDecoder().decode(RerunBody.self, from: Data(buffer.readableBytesView)) } catch {
            throw ContractError(400, "the body is not JSON of the form {\"only\": \"survived\"}")
        }
        guard let word = body.only else { return .survived }
        guard let selection = RerunSelection(rawValue: word) else {
            throw ContractError(400, "only must be survived, errored or all, not \(word)", field: "only")
        }
        return selection
    }
}
