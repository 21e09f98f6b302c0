import Egress
import Engine
import Foundation
import Hashing
import Ingress
import Logging
import Workflow

/// What Tinybug does with a decoded event: intake, steering, tenants and their quotas, the read
/// models behind the pages. Knows no HTTP framework, so the same code serves a function,
/// `tinybug serve`, the CLI and the tests.
public struct Orchestrator: Sendable {
    public private(set) var engine: Engine<Run>
    public let tenantsSource: TenantsSource
    /// The tenants in force (re-read when the tenants file changes).
    public var tenants: Tenants { tenantsSource.current }
    public private(set) var executor: TenantGate
    public let telemetry: Telemetry
    public var logger: Logger
    public let timerToken: Secret?
    public var adminToken: Secret?
    /// How long a request may spend running effects before leaving the rest to the timer.
    public var effectBudget: Duration = .seconds(5)
    /// Whether steering runs the effects it asks for now; off when the tenants are not known (the
    /// CLI without a readable tenants file), so they wait in the outbox for the timer.
    public var carriesOutEffects = true
    /// Where GitHub and the CIs are.
    public let endpoints: Endpoints
    /// How often the timer looks for failed webhook deliveries to ask for again; nil never.
    public var redeliverySeconds: Int64? = Self.defaultRedeliverySeconds
    public static let defaultRedeliverySeconds: Int64 = 300

    public init(
        engine: Engine<Run>, tenants: Tenants, endpoints: Endpoints, timerToken: Secret?, adminToken: Secret? = nil,
        telemetry: Telemetry = Telemetry(), logger: Logger
    ) {
        self.init(
            engine: engine, tenantsSource: TenantsSource(tenants), endpoints: endpoints, timerToken: timerToken,
            adminToken: adminToken, telemetry: telemetry, logger: logger)
    }

    public init(
        engine: Engine<Run>, tenantsSource: TenantsSource, endpoints: Endpoints, timerToken: Secret?,
        adminToken: Secret? = nil, telemetry: Telemetry = Telemetry(), logger: Logger
    ) {
        self.engine = engine
        self.endpoints = endpoints
        self.tenantsSource = tenantsSource
        self.logger = logger
        self.timerToken = timerToken
        self.adminToken = adminToken
        self.telemetry = telemetry
        let runner = EffectRunner(logger: logger) { [tenantsSource] id in
            let tenants = tenantsSource.current
            return tenants[id]?.target(endpoints, app: tenants.app)
        }
        executor = TenantGate(
            base: MeteredExecutor(base: runner, telemetry: telemetry), engine: engine, tenants: tenantsSource,
            effectBudget: .seconds(5), logger: logger)
    }

    /// This orchestrator, logging with `logger` (the request's, which carries its id) here, in the
    /// engine and in every effect it runs.
    public func with(logger: Logger) -> Orchestrator {
        var copy = self
        copy.logger = logger
        copy.engine = engine.with(logger: logger)
        copy.executor = executor.with(logger: logger)
        return copy
    }

    /// Runs effects a write produced, within the request's budget; the rest wait for the timer.
    /// Nothing runs here when this orchestrator does not carry out effects (the CLI's).
    func carryOut(_ applied: Applied<Run>, tenant: String, id: String) async throws(EngineError) {
        guard carriesOutEffects, case .applied(_, let effects) = applied, !effects.isEmpty else { return }
        try await engine.carryOut(effects, tenant: tenant, id: id, executor: executor, budget: effectBudget)
    }

    /// `POST /timer`: the bearer token, then one tick over the due timer buckets.
    public func timer(token: String?) async throws(ContractError) -> Answer {
        guard timerToken?.matches(token) == true else { throw ContractError(401, "missing or wrong bearer token") }
        return try await tick()
    }

    /// One tick, as the internal ticker of `tinybug serve` runs it.
    public func tick() async throws(ContractError) -> Answer {
        do {
            let summary = try await engine.tick(executor: executor)
            if summary.markers > 0 {
                logger.info(
                    "Ticked", metadata: ["timers.count": "\(summary.markers)", "effects.count": "\(summary.effects)"])
            }
            await reconcileDeliveries()
            await countJobs()
            telemetry.ticked(at: Date().timeIntervalSince1970)
            return .ok("ticked \(summary.markers) timers, ran \(summary.effects) effects")
        } catch {
            throw refused(error)
        }
    }

    /// Each tenant's CI runs in flight and workflows waiting for a slot, for the metrics: one listing
    /// and one read per tenant.
    func countJobs() async {
        for tenant in tenants.all.keys.sorted() {
            do {
                let inFlight = try await executor.board.numbers(tenant: tenant).count
                let queue = try await engine.sideDocuments.read(SlotLedger.document(tenant))
                telemetry.jobs(tenant: tenant, inFlight: inFlight, queued: queue.waiting.count)
            } catch {
                logger.warning(
                    "Could not count a tenant's jobs", metadata: ["tenant.id": "\(tenant)", "error": "\(error)"])
            }
        }
    }

    /// The contract's answer to an engine error, logged with what the sender is not told.
    func refused(_ error: EngineError, _ metadata: Logger.Metadata = [:]) -> ContractError {
        var metadata = metadata
        metadata["error"] = "\(error)"
        if case .store(.corrupt) = error {
            logger.error("A stored document does not decode; it was left as it is", metadata: metadata)
        } else {
            logger.error("Request not applied", metadata: metadata)
        }
        return ContractError(error)
    }
}
