import Engine
import Foundation
import Logging
import Workflow

/// Holds every dispatch to the tenant's limit of CI runs in flight over all its workflows, and
/// to its repositories' dispatch pace, through the tenant's slot document. Gives a slot back when
/// its CI run ended or was cancelled, and wakes the workflows the freed slots are promised to.
/// Every other effect goes straight to the CI executor.
public struct TenantGate: EffectExecutor {
    public typealias State = Run
    public private(set) var base: MeteredExecutor
    private(set) var engine: Engine<Run>
    let ledger: SlotLedger
    let tenants: TenantsSource
    private(set) var logger: Logger
    let effectBudget: Duration
    /// When a tenant is full, slots held longer than this are checked against their workflow, in
    /// case one ended without giving its slot back.
    static let verifyAfterSeconds: Int64 = 120

    init(base: MeteredExecutor, engine: Engine<Run>, tenants: TenantsSource, effectBudget: Duration, logger: Logger) {
        self.base = base
        self.engine = engine
        ledger = SlotLedger(documents: engine.sideDocuments)
        self.tenants = tenants
        self.effectBudget = effectBudget
        self.logger = logger
    }

    /// This gate (its engine and effect runner too), logging with `logger`; the ledger is shared.
    func with(logger: Logger) -> TenantGate {
        var copy = self
        copy.logger = logger
        copy.engine = engine.with(logger: logger)
        copy.base = base.with(logger: logger)
        return copy
    }

    public func execute(_ effect: Workflow.Effect, tenant: String, workflow: String, rerun: Bool) async -> EffectResult<
        Workflow.Event
    > {
        switch effect {
        case .dispatch(let key, let pr, _):
            guard let config = tenants.current[tenant] else {
                return .retry(afterSeconds: 60, reason: "tenant \(tenant) is not configured")
            }
            let decision: TenantSlots.Decision
            do { decision = try await acquire(key, repository: "\(pr.owner)/\(pr.repo)", config) } catch {
                return .retry(afterSeconds: nil, reason: "tenant slots: \(error)")
            }
            switch decision {
            case .granted: return await base.execute(effect, tenant: tenant, workflow: workflow, rerun: rerun)
            case .queued:
                await verifyOldHoldings(tenant: tenant)
                return .completed(.queued(key, until: nil))
            case .paced(let until): return .completed(.queued(key, until: until))
            }
        case .cancel(let key, _, _):
            let result = await base.execute(effect, tenant: tenant, workflow: workflow, rerun: rerun)
            guard case .completed = result else { return result }
            do { try await release(key) } catch { return .retry(afterSeconds: nil, reason: "tenant slots: \(error)") }
            return result
        case .releaseSlot(let key):
            do { try await release(key) } catch { return .retry(afterSeconds: nil, reason: "tenant slots: \(error)") }
            return .completed(.slotReleased(key))
        default:
            return await base.execute(effect, tenant: tenant, workflow: workflow, rerun: rerun)
        }
    }

    /// Takes a slot for the job; slots still free after it are promised to the workflows waiting.
    func acquire(_ key: JobKey, repository: String, _ config: Tenant) async throws(StoreError) -> TenantSlots.Decision {
        let now = engine.clock.now()
        let (limit, pace) = (config.settings.maxConcurrentJobs, config.dispatchPace)
        let outcome = try await ledger.apply(key.tenant) { slots in
            let decision = slots.acquire(
                key.description, workflow: key.workflow, repository: repository, limit: limit, pace: pace, now: now)
            return SlotOutcome(
                decision: decision, woken: decision == .granted ? slots.wake(limit: limit, now: now) : [])
        }
        for workflow in outcome.woken { await wake(workflow, tenant: key.tenant, cause: key.description) }
        return outcome.decision ?? .queued
    }

    /// Frees the slot and wakes the workflows it is promised to, running what they dispatch now.
    func release(_ key: JobKey) async throws(StoreError) {
        let now = engine.clock.now()
        let limit = tenants.current[key.tenant]?.settings.maxConcurrentJobs ?? 1
        let outcome = try await ledger.apply(key.tenant) { slots in
            SlotOutcome(woken: slots.release(key.description, limit: limit, now: now))
        }
        for workflow in outcome.woken { await wake(workflow, tenant: key.tenant, cause: key.description) }
    }

    /// Tells a workflow a slot is promised to it. One with nothing left to ask for gives its
    /// place up, and the slot is promised to the next.
    private func wake(_ workflow: String, tenant: String, cause: String) async {
        do {
            let applied = try await engine.apply(
                tenant: tenant, id: workflow, [EventInput(id: "slot-freed:\(cause)", event: .slotFreed)])
            let state = applied.document.state
            let asking = !state.paused && state.jobs.contains { $0.status == .queued || $0.status == .dispatching }
            if !asking { await withdraw(workflow, tenant: tenant) }
            guard case .applied(_, let effects) = applied, !effects.isEmpty else { return }
            try await engine.carryOut(effects, tenant: tenant, id: workflow, executor: self, budget: effectBudget)
        } catch .notFound {
            await withdraw(workflow, tenant: tenant)
        } catch {
            // The workflow asks again on its own after `Run.slotRecheckSeconds`.
            logger.warning(
                "Could not wake a waiting workflow", metadata: ["workflow.id": "\(workflow)", "error": "\(error)"])
        }
    }

    private func withdraw(_ workflow: String, tenant: String) async {
        let now = engine.clock.now()
        let limit = tenants.current[tenant]?.settings.maxConcurrentJobs ?? 1
        let woken: [String]
        do {
            woken = try await ledger.apply(tenant) { slots in
                SlotOutcome(woken: slots.withdraw(workflow, limit: limit, now: now))
            }.woken
        } catch {
            logger.warning(
                "Could not pass a promised slot on", metadata: ["workflow.id": "\(workflow)", "error": "\(error)"])
            return
        }
        for next in woken { await wake(next, tenant: tenant, cause: "withdrawn:\(workflow):\(now.milliseconds)") }
    }

    /// Gives back slots whose job is no longer in flight at the attempt that took them.
    private func verifyOldHoldings(tenant: String) async {
        let now = engine.clock.now()
        let slots: TenantSlots
        do { slots = try await engine.sideDocuments.read(SlotLedger.document(tenant)) } catch {
            logger.error(
                "Could not read the tenant's slots", metadata: ["tenant.id": "\(tenant)", "error": "\(error)"])
            return
        }
        for (held, _) in slots.holdings(olderThan: Self.verifyAfterSeconds, now: now).prefix(4) {
            guard let job = JobKey(parsing: held), await !isInFlight(job) else { continue }
            logger.notice("Freeing a slot whose job is no longer in flight", metadata: ["job.key": "\(held)"])
            do { try await release(job) } catch {
                logger.warning("Could not free a slot", metadata: ["job.key": "\(held)", "error": "\(error)"])
            }
        }
    }

    private func isInFlight(_ key: JobKey) async -> Bool {
        let loaded: (Document<Run>, Version)?
        do { loaded = try await engine.load(tenant: key.tenant, id: key.workflow) } catch { return true }
        guard let (document, _) = loaded else { return false }
        let job = document.state.jobs.first { $0.name == key.job }
        return job.map { $0.attempt == key.attempt && $0.status.isInFlight } ?? false
    }
}
