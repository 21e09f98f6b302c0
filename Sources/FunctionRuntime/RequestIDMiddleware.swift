import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Orchestration

/// Passes the gateway's `X-Request-Id` through (or makes one), puts it in the context's logger
/// (which handlers hand to the orchestrator, the engine and the effects), answers with it, and
/// times every request by route.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = TinybugRequestContext
    static let header = HTTPField.Name("X-Request-Id")!
    let telemetry: Telemetry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let given = request.headers[Self.header].flatMap { $0.isEmpty ? nil : $0 }
        let id = given ?? UUID().uuidString.lowercased()
        var context = context
        context.logger[metadataKey: "request.id"] = .string(id)
        defer { telemetry.handled(route: context.endpointPath ?? "unmatched", duration: ContinuousClock.now - started) }
        do {
            var response = try await next(request, context)
            response.headers[Self.header] = id
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[Self.header] = id
            return response
        }
    }
}

/// Tenant auth, once, for `/api/v1/tenants/{tenant}/…` (a bearer token) and `/ui/tenants/{tenant}/…`
/// (the token as the Basic password): the admin token anywhere, a tenant's API token on its own
/// tenant only. Puts the tenant into the context, as hummingbird-auth's authenticators do.
struct TenantAuthMiddleware: RouterMiddleware {
    typealias Context = TinybugRequestContext
    enum Style { case bearer, page }
    let orchestrator: Orchestrator
    let style: Style

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let id = context.parameters.get("tenant") ?? ""
        let header = request.headers[.authorization]
        var context = context
        do {
            let token = style == .bearer ? Credentials.bearer(header) : Credentials.bearerOrBasicPassword(header)
            context.tenant = try orchestrator.authorize(token: token, tenant: id)
        } catch {
            if style == .bearer { orchestrator.telemetry.event("control", status: error.statusCode) }
            throw style == .page ? PageError(error: error) as any HTTPResponseError : error
        }
        return try await next(request, context)
    }
}
