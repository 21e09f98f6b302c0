import Egress
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Orchestration
import ServiceLifecycle
import Tracing
import Workflow

/// Builds the Hummingbird application of a function from its configuration.
public enum FunctionApp {
    /// The orchestrator for `config`: store, tenants, engine and executor.
    public static func orchestrator(
        config: FunctionConfig, logger: Logger, clock: any WallClock = SystemClock()
    ) throws -> Orchestrator {
        let telemetry = Telemetry()
        let store = MeteredStore(TracedStore(try makeStore(config)), telemetry: telemetry)
        let tenants = try TenantsSource(path: config.tenantsPath, environment: config.environment, logger: logger)
        var engine = Engine<Run>(store: store, clock: clock, logger: logger)
        engine.effectLeaseSeconds = config.effectLeaseSeconds
        var orchestrator = Orchestrator(
            engine: engine, tenantsSource: tenants,
            endpoints: Endpoints(github: config.githubAPI, ci: config.ciAPIs),
            timerToken: config.timerToken, adminToken: config.adminToken, telemetry: telemetry, logger: logger)
        orchestrator.redeliverySeconds = config.redeliverySeconds
        return orchestrator
    }

    public static func makeStore(_ config: FunctionConfig) throws -> any DocumentStore {
        switch config.store {
        case .file(let path): return try FileStore(root: path)
        case .s3(let bucket, let prefix):
            return S3Store(try config.s3Configuration(bucket: bucket, prefix: prefix), transport: URLSessionTransport())
        }
    }

    /// The router of `kind`'s routes.
    public static func router(
        _ kind: FunctionKind, orchestrator: Orchestrator, limits: ServerLimits = ServerLimits()
    ) -> Router<TinybugRequestContext> {
        let router = Router(context: TinybugRequestContext.self)
        // A server span per request, a child of the `traceparent` the gateway (or the sender) gave.
        router.add(middleware: TracingMiddleware(recordingHeaders: [HTTPField.Name("X-Request-Id")!]))
        router.add(middleware: RequestIDMiddleware(telemetry: orchestrator.telemetry))
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: orchestrator.telemetry.exposition())))
        }
        if kind.servesWebhooks { addWebhooks(router, kind: kind, orchestrator: orchestrator, limits: limits) }
        if kind.servesControl { addControl(router, orchestrator: orchestrator) }
        if kind.servesTimer {
            router.post("/timer") { request, context in
                try await counted("timer", orchestrator) {
                    () throws(ContractError) in
                    try await orchestrator.with(logger: context.logger).timer(
                        token: Credentials.bearer(request.headers[.authorization]))
                }
            }
        }
        return router
    }

    /// The application serving `kind`'s routes, with `services` run alongside (the ticker).
    public static func build(
        _ kind: FunctionKind, orchestrator: Orchestrator, host: String, port: Int, logger: Logger,
        services: [any Service] = [], limits: ServerLimits = ServerLimits(),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(kind, orchestrator: orchestrator, limits: limits), server: limits.server,
            configuration: .init(address: .hostname(host, port: port), serverName: "tinybug"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    /// The GitHub events Tinybug takes; any other is counted as `other`.
    static let gitHubEvents: Set<String> = FunctionKind.all.takenGitHubEvents.union(["ping"])

    /// A metric label from a fixed list, whatever a sender put in its event header: a label value
    /// never comes from outside, so no one can grow the series without bound.
    static func eventLabel(_ event: String?, of known: Set<String>) -> String {
        guard let event else { return "unknown" }
        return known.contains(event) ? event : "other"
    }

    /// Counts the answer (or the refusal) under `type`, then gives it to Hummingbird. The work is
    /// one span, `tinybug <type>`, naming the event, the tenant, the workflow and the answer; the
    /// store operations and calls out it makes are its children.
    static func counted(
        _ type: String, _ orchestrator: Orchestrator, tenant: String? = nil,
        _ body: () async throws(ContractError) -> Answer
    ) async throws(ContractError) -> Answer {
        let span = startSpan("tinybug \(type)", ofKind: .internal)
        defer { span.end() }
        span.attributes["tinybug.event"] = type
        span.attributes["tinybug.tenant"] = tenant
        let outcome = await ServiceContext.withValue(span.context) { () async -> Result<Answer, ContractError> in
            do throws(ContractError) { return .success(try await body()) } catch { return .failure(error) }
        }
        do {
            let answer = try outcome.get()
            orchestrator.telemetry.event(type, status: answer.status)
            span.attributes["tinybug.workflow"] = answer.body.workflow ?? answer.body.workflows?.joined(separator: ",")
            span.attributes["tinybug.answer"] = answer.status
            return answer
        } catch {
            orchestrator.telemetry.event(type, status: error.statusCode)
            span.attributes["tinybug.answer"] = error.statusCode
            if error.statusCode >= 500 { span.setStatus(SpanStatus(code: .error, message: error.message)) }
            throw error
        }
    }

    private static func addWebhooks(
        _ router: Router<TinybugRequestContext>, kind: FunctionKind, orchestrator: Orchestrator, limits: ServerLimits
    ) {
        let budget = BodyBudget(limit: limits.maxBufferedBytes)
        @Sendable func gitHub(_ request: Request, _ context: TinybugRequestContext, tenant: String?) async throws
            -> Answer
        {
            let fields = request.headers
            let header = { (name: String) in HTTPField.Name(name).flatMap { fields[$0] } }
            let event = header(CIContract.GitHub.eventHeader)
            let headers = WebhookHeaders(
                event: event, delivery: header(CIContract.GitHub.deliveryHeader),
                signature256: header(CIContract.GitHub.signatureHeader))
            return try await counted("github." + eventLabel(event, of: gitHubEvents), orchestrator, tenant: tenant) {
                () throws(ContractError) in
                try orchestrator.checkReceiving(tenantID: tenant)
                return try await withBody(request, limits: limits, budget: budget) { body throws(ContractError) in
                    try await orchestrator.with(logger: context.logger).gitHubWebhook(
                        tenantID: tenant, headers: headers, body: body, filter: kind.gitHubEvents)
                }
            }
        }
        router.post("/webhooks/github") { request, context in try await gitHub(request, context, tenant: nil) }
        router.post("/webhooks/github/{tenant}") { request, context in
            try await gitHub(request, context, tenant: context.parameters.get("tenant") ?? "")
        }
        for provider in CIProvider.allCases {
            guard let route = provider.webhookRoute else { continue }
            router.post("/webhooks/\(route)/{tenant}") { request, context in
                let fields = request.headers
                let header = { (name: String) in HTTPField.Name(name).flatMap { fields[$0] } }
                let tenant = context.parameters.get("tenant") ?? ""
                let label = eventLabel(header(provider.eventHeader), of: [provider.finishedEvent, "ping"])
                return try await counted("\(route)." + label, orchestrator, tenant: tenant) {
                    () throws(ContractError) in
                    try orchestrator.checkReceiving(tenantID: tenant)
                    return try await withBody(request, limits: limits, budget: budget) { body throws(ContractError) in
                        try await orchestrator.with(logger: context.logger).ciWebhook(
                            provider, tenantID: tenant, header: header, body: body, filter: kind.gitHubEvents)
                    }
                }
            }
        }
    }
}
