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
        var engine = Engine<Run>(store: store, clock: clock, logger: logger)
        engine.effectLeaseSeconds = config.effectLeaseSeconds
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
        /// Collects the body (413 past the limit), hands it with a header reader to `handle`,
        /// counts the answer and sends it.
        @Sendable func receive(
            _ request: Request, source: String, event: String,
            _ handle: (Data, (String) -> String?) async -> Answer
        ) async throws -> Response {
            var request = request
            let body = try await request.collectBody(upTo: maxBodyBytes)
            let fields = request.headers
            let header: (String) -> String? = { name in HTTPField.Name(name).flatMap { fields[$0] } }
            let answer = await handle(Data(body.readableBytesView), header)
            orchestrator.telemetry.event("\(source)." + (header(event) ?? "unknown"), status: answer.status)
            return response(answer)
        }
        @Sendable func gitHub(_ request: Request, tenant: String?) async throws -> Response {
            try await receive(request, source: "github", event: "X-GitHub-Event") { body, header in
                let headers = WebhookHeaders(
                    event: header("X-GitHub-Event"), delivery: header("X-GitHub-Delivery"), signature256: header("X-Hub-Signature-256"))
                return await orchestrator.with(requestID: header("X-Request-Id") ?? "").gitHubWebhook(
                    tenantID: tenant, headers: headers, body: body, filter: kind.gitHubEvents)
            }
        }
        router.post("/webhooks/github") { request, _ in try await gitHub(request, tenant: nil) }
        router.post("/webhooks/github/{tenant}") { request, context in
            try await gitHub(request, tenant: context.parameters.get("tenant") ?? "")
        }
        router.post("/webhooks/buildkite/{tenant}") { request, context in
            try await receive(request, source: "buildkite", event: "X-Buildkite-Event") { body, header in
                let headers = BuildkiteHeaders(
                    event: header("X-Buildkite-Event"), signature: header("X-Buildkite-Signature"), token: header("X-Buildkite-Token"))
                return await orchestrator.with(requestID: header("X-Request-Id") ?? "").buildkiteWebhook(
                    tenantID: context.parameters.get("tenant") ?? "", headers: headers, body: body, filter: kind.gitHubEvents)
            }
        }
    }

    static func response(_ answer: Answer) -> Response {
        Response(
            status: HTTPResponse.Status(code: answer.status), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.json)))
    }
}
