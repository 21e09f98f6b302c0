import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The control API's routes (CONTRACT.md `/api/v1`).
extension FunctionApp {
    static func addControl(_ router: Router<BasicRequestContext>, orchestrator: Orchestrator) {
        let api = router.group("/api/v1/tenants/{tenant}")
        @Sendable func guarded(_ request: Request, _ context: BasicRequestContext, _ body: (String) async -> ControlAnswer) async -> Response {
            let tenant = context.parameters.get("tenant") ?? ""
            let answer: ControlAnswer
            if let refused = orchestrator.authorize(request.headers[.authorization], tenant: tenant) {
                answer = refused
            } else {
                answer = await body(tenant)
            }
            orchestrator.telemetry.event("control", status: answer.status)
            return Response(
                status: HTTPResponse.Status(code: answer.status), headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        api.get("workflows") { request, context in
            await guarded(request, context) { tenant in await orchestrator.listAnswer(tenant: tenant) }
        }
        api.get("workflows/{workflow}") { request, context in
            await guarded(request, context) { tenant in
                await orchestrator.showAnswer(tenant: tenant, workflow: context.parameters.get("workflow") ?? "")
            }
        }
        api.post("workflows/{workflow}/{action}") { request, context in
            await guarded(request, context) { tenant in
                await orchestrator.steer(
                    tenant: tenant, workflow: context.parameters.get("workflow") ?? "", verb: context.parameters.get("action") ?? "")
            }
        }
        addPages(router, orchestrator: orchestrator)
        api.post("{action}") { request, context in
            await guarded(request, context) { tenant in await orchestrator.steerTenant(tenant, verb: context.parameters.get("action") ?? "") }
        }
    }
}

extension FunctionApp {
    /// `GET /ui/tenants/{tenant}` and `GET /ui/tenants/{tenant}/workflows/{workflow}`.
    static func addPages(_ router: Router<BasicRequestContext>, orchestrator: Orchestrator) {
        @Sendable func page(_ request: Request, _ context: BasicRequestContext, _ body: (String) async -> Orchestrator.Page) async -> Response {
            let tenant = context.parameters.get("tenant") ?? ""
            let page: Orchestrator.Page
            if let refused = orchestrator.authorizePage(request.headers[.authorization], tenant: tenant) {
                page = refused
            } else {
                page = await body(tenant)
            }
            var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
            if page.challenge { headers[.wwwAuthenticate] = #"Basic realm="tinybug", charset="UTF-8""# }
            return Response(status: HTTPResponse.Status(code: page.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page.html)))
        }
        router.get("/ui/tenants/{tenant}") { request, context in
            await page(request, context) { tenant in
                let query = request.uri.queryParameters
                return await orchestrator.tenantPage(
                    tenant, status: query.get("status"), repository: query.get("repository"), page: query.get("page", as: Int.self) ?? 1)
            }
        }
        router.get("/ui/tenants/{tenant}/workflows/{workflow}") { request, context in
            await page(request, context) { tenant in await orchestrator.workflowPage(tenant, workflow: context.parameters.get("workflow") ?? "") }
        }
    }
}

/// Passes the gateway's `X-Request-Id` through (or makes one), logs with it, answers with it,
/// and times every request by route.
struct RequestIDMiddleware: RouterMiddleware {
    let telemetry: Telemetry

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response)
        async throws -> Response
    {
        let started = ContinuousClock.now
        let id = request.headers[HTTPField.Name("X-Request-Id")!] ?? UUID().uuidString.lowercased()
        var context = context
        context.logger[metadataKey: "request.id"] = .string(id)
        var response = try await next(request, context)
        response.headers[HTTPField.Name("X-Request-Id")!] = id
        telemetry.handled(route: context.endpointPath ?? "unmatched", duration: ContinuousClock.now - started)
        return response
    }
}
