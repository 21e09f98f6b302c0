import Egress
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Workflow

/// Builds the Hummingbird application of a function from its configuration.
public enum FunctionApp {
    /// The most a webhook body may be; more is refused with 413 without buffering it.
    public static let maxBodyBytes = 25 * 1024 * 1024

    /// The orchestrator for `config`: store, tenants, engine and executor.
    public static func orchestrator(
        config: FunctionConfig, logger: Logger, clock: any WallClock = SystemClock()
    ) throws -> Orchestrator {
        let telemetry = Telemetry()
        let store = MeteredStore(try makeStore(config), telemetry: telemetry)
        let tenants = try TenantsSource(path: config.tenantsPath, environment: config.environment, logger: logger)
        let engine = Engine<Run>(store: store, clock: clock, logger: logger)
        return Orchestrator(
            engine: engine, tenantsSource: tenants, endpoints: Endpoints(github: config.githubAPI, buildkite: config.buildkiteAPI),
            timerToken: config.timerToken, adminToken: config.adminToken, telemetry: telemetry, logger: logger)
    }

    public static func makeStore(_ config: FunctionConfig) throws -> any DocumentStore {
        switch config.store {
        case .file(let path): return try FileStore(root: path)
        case .s3(let bucket, let prefix): return S3Store(try config.s3Configuration(bucket: bucket, prefix: prefix), transport: URLSessionTransport())
        }
    }

    /// The application serving `kind`'s routes, with `services` run alongside (the ticker).
    public static func build(
        _ kind: FunctionKind, orchestrator: Orchestrator, host: String, port: Int, logger: Logger,
        services: [any Service] = [], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: RequestIDMiddleware(telemetry: orchestrator.telemetry))
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: orchestrator.telemetry.exposition())))
        }
        if kind.servesWebhooks { addWebhooks(router, kind: kind, orchestrator: orchestrator) }
        if kind.servesControl { addControl(router, orchestrator: orchestrator) }
        if kind.servesTimer {
            router.post("/timer") { request, _ in
                let answer = await orchestrator.timer(authorization: request.headers[.authorization])
                orchestrator.telemetry.event("timer", status: answer.status)
                return response(answer)
            }
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "tinybug"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    private static func addWebhooks(_ router: Router<BasicRequestContext>, kind: FunctionKind, orchestrator: Orchestrator) {
        @Sendable func handle(_ request: Request, tenant: String?) async throws -> Response {
            var request = request
            let body = try await request.collectBody(upTo: maxBodyBytes)
            let headers = WebhookHeaders(
                event: request.headers[HTTPField.Name("X-GitHub-Event")!],
                delivery: request.headers[HTTPField.Name("X-GitHub-Delivery")!],
                signature256: request.headers[HTTPField.Name("X-Hub-Signature-256")!])
            let requestID = request.headers[HTTPField.Name("X-Request-Id")!] ?? ""
            let answer = await orchestrator.with(requestID: requestID).gitHubWebhook(
                tenantID: tenant, headers: headers, body: Data(body.readableBytesView), filter: kind.gitHubEvents)
            orchestrator.telemetry.event("github." + (headers.event ?? "unknown"), status: answer.status)
            return response(answer)
        }
        router.post("/webhooks/github") { request, _ in try await handle(request, tenant: nil) }
        router.post("/webhooks/buildkite/{tenant}") { request, context in
            var request = request
            let body = try await request.collectBody(upTo: maxBodyBytes)
            let headers = BuildkiteHeaders(
                event: request.headers[HTTPField.Name("X-Buildkite-Event")!],
                signature: request.headers[HTTPField.Name("X-Buildkite-Signature")!],
                token: request.headers[HTTPField.Name("X-Buildkite-Token")!])
            let answer = await orchestrator.buildkiteWebhook(
                tenantID: context.parameters.get("tenant") ?? "", headers: headers, body: Data(body.readableBytesView),
                filter: kind.gitHubEvents)
            orchestrator.telemetry.event("buildkite." + (headers.event ?? "unknown"), status: answer.status)
            return response(answer)
        }
        router.post("/webhooks/github/{tenant}") { request, context in
            try await handle(request, tenant: context.parameters.get("tenant") ?? "")
        }
    }

    static func response(_ answer: Answer) -> Response {
        Response(
            status: HTTPResponse.Status(code: answer.status), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.json)))
    }
}
