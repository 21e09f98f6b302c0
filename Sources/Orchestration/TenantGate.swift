import Engine
import Foundation
import Logging
import Workflow

/// Holds every dispatch to the tenant's limit of CI runs in flight over all its workflows (one
/// numbered slot document per run, `SlotBoard`), and to its repositories' dispatch pace and its
/// queue of waiting workflows (one small document per tenant). Gives a slot back when its CI run
/// ended or was cancelled, and wakes the workflow the freed slot is promised to. Every other effect
/// goes straight to the CI executor.
public struct TenantGate: EffectExecutor {
    public typealias State = Run
    public private(set) var base: MeteredExecutor
    private(set) var engine: Engine<Run>
    let ledger: SlotLedger
    let board: SlotBoard
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
        board = SlotBoard(store: engine.store)
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

    public func execute(_ effect: Workflow.Effect, tenant: String, workflow: String, lease: EffectLease) async
        -> EffectResult<Workflow.Event>
    {
        switch effect {
        case .dispatch(let key, let pr, _, _):
            guard let config = tenants.current[tenant] else {
                return .retry(afterSeconds: 60, reason: "tenant \(tenant) is not configured")
            }
            let slot: Int
            do {
                switch try await acquire(key, repository: "\(pr.owner)/\(pr.repo)", config, rerun: lease.rerun) {
                case .granted(let number, let taken):
                    slot = number
                    // Taking the slot can outlast the lease (a slow store); past it another run of
                    // this dispatch may have begun and looked at the CI before this one's run was there.
                    if lease.hasEnded(at: engine.clock.now()),
                        let refused = await afterLease(effect, lease, slot: slot, taken: taken)
                    {
                        return refused
                    }
                case .queued(let until): return .completed(.queued(key, until: until))
                }
            } catch {
                return .retry(afterSeconds: nil, reason: "tenant slots: \(error)")
            }
            let result = await base.execute(effect, tenant: tenant, workflow: workflow, lease: lease)
            guard case .completed(.dispatched(let job, let runID, let url, _)) = result else { return result }
            return .completed(.dispatched(job, ciRunID: runID, url: url, slot: slot))
        case .cancel(let key, _, _, let slot):
            let result = await base.execute(effect, tenant: tenant, workflow: workflow, lease: lease)
            guard case .completed = result else { return result }
            do { try await release(key, slot: slot) } catch {
                return .retry(afterSeconds: nil, reason: "tenant slots: \(error)")
            }
            return result
        case .releaseSlot(let key, let slot):
            do { try await release(key, slot: slot) } catch {
                return .retry(afterSeconds: nil, reason: "tenant slots: \(error)")
            }
            return .completed(.slotReleased(key))
        default:
            return await base.execute(effect, tenant: tenant, workflow: workflow, lease: lease)
        }
    }

    /// A dispatch whose lease ended while it took its slot goes on only while its outbox entry is
    /// as it was when this run began (one read): otherwise another run has begun, and finds the slot
    /// held for it; or the workflow no longer wants the dispatch, and a slot this run took is given
    /// back, since nobody else would. Nil: go on.
    private func afterLease(_ effect: Workflow.Effect, _ lease: EffectLease, slot: Int, taken: Bool) async
        -> EffectResult<Workflow.Event>?
    {
        guard case .dispatch(let key, _, _, _) = effect else { return nil }
        let reason = "the lease ran out while taking a slot, and another run took over"
        do {
            let document = try await engine.load(tenant: key.tenant, id: key.workflow)?.0
            if lease.holds(document?.outbox.first { $0.key == effect.key }) { return nil }
            let wanted = document.map { !$0.state.noLongerWants(effect) } ?? false
            if taken, !wanted { try await release(key, slot: slot) }
        } catch {
            logger.warning("Could not check a dispatch's lease", metadata: ["job.key": "\(key)", "error": "\(error)"])
        }
        return .retry(afterSeconds: engine.effectLeaseSeconds, reason: reason)
    }

    enum Acquired: Equatable {
        /// `taken`: by this run, not held already by an earlier run of the same dispatch.
        case granted(slot: Int, taken: Bool)
        /// Wait to be woken, or until `until` (the pace).
        case queued(until: Instant?)
    }

    /// Takes a slot for the job if the queue and the pace let it and one is free; otherwise the
    /// job's workflow waits in line.
    func acquire(_ key: JobKey, repository: String, _ config: Tenant, rerun: Bool) async throws(StoreError) -> Acquired
    {
        let now = engine.clock.now()
        let (limit, pace, workflow, job) = (
            config.settings.maxConcurrentJobs, config.dispatchPace, key.workflow, key.description
        )
        // A job that holds a slot already (a dispatch run again) keeps it: it is neither queued
        // nor counted in the pace twice.
        if let slot = try await board.holding(key, limit: limit, rerun: rerun) {
            return .granted(slot: slot, taken: false)
        }
        let admitted = try await ledger.apply(key.tenant) { slots in
            let waiting = slots.waiting.contains { $0.workflow == workflow }
            let decision = slots.admit(job, workflow: workflow, repository: repository, pace: pace, now: now)
            return SlotOutcome(decision: decision, waiting: waiting)
        }
        switch admitted.decision ?? .queued {
        case .paced(let until): return .queued(until: until)
        case .queued:
            await verifyOldHoldings(tenant: key.tenant)
            return .queued(until: nil)
        case .granted: break
        }
        guard let slot = try await board.take(key, limit: limit, now: now) else {
            _ = try await ledger.apply(key.tenant) { slots in
                slots.wait(job, workflow: workflow, repository: repository, pace: pace, now: now)
                return SlotOutcome()
            }
            await verifyOldHoldings(tenant: key.tenant)
            return .queued(until: nil)
        }
        if admitted.waiting {
            _ = try await ledger.apply(key.tenant) { slots in
                slots.took(job, workflow: workflow, now: now)
                return SlotOutcome()
            }
        }
        return .granted(slot: slot, taken: true)
    }

    /// Frees the slot and wakes the workflow it is promised to, running what it dispatches now.
    func release(_ key: JobKey, slot: Int?) async throws(StoreError) {
        let now = engine.clock.now()
        let limit = tenants.current[key.tenant]?.settings.maxConcurrentJobs ?? 1
        guard try await board.give(key, slot: slot, limit: limit) else { return }
        // Most of the time nobody waits: a read, and no write.
        let queue = try await engine.sideDocuments.read(SlotLedger.document(key.tenant))
        guard queue.waiting.contains(where: { $0.wokenAt == nil }) else { return }
        let outcome = try await ledger.apply(key.tenant) { slots in SlotOutcome(woken: slots.promise(now: now)) }
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
        let woken: [String]
        do {
            woken = try await ledger.apply(tenant) { slots in SlotOutcome(woken: slots.withdraw(workflow, now: now)) }
                .woken
        } catch {
            logger.warning(
                "Could not pass a promised slot on", metadata: ["workflow.id": "\(workflow)", "error": "\(error)"])
            return
        }
        for next in woken { await wake(next, tenant: tenant, cause: "withdrawn:\(workflow):\(now.milliseconds)") }
    }

    /// Gives back slots whose job is no longer in flight at the attempt that took them. Reads every
    /// slot, so a process does it for a tenant at most once in `verifyAfterSeconds / 4`.
    private func verifyOldHoldings(tenant: String) async {
        let now = engine.clock.now()
        guard await ledger.dueForVerifying(tenant, now: now, every: Self.verifyAfterSeconds / 4) else { return }
        let holdings: [(number: Int, holding: SlotHolding)]
        do { holdings = try await board.holdings(tenant: tenant) } catch {
            logger.error(
                "Could not read the tenant's slots", metadata: ["tenant.id": "\(tenant)", "error": "\(error)"])
            return
        }
        let old = holdings.filter { $0.holding.since.adding(seconds: Self.verifyAfterSeconds) <= now }
            .sorted { $0.holding.since < $1.holding.since }
        for (number, holding) in old.prefix(4) {
            guard let job = JobKey(parsing: holding.job), await !isInFlight(job) else { continue }
            logger.notice("Freeing a slot whose job is no longer in flight", metadata: ["job.key": "\(holding.job)"])
            do { try await release(job, slot: number) } catch {
                logger.warning("Could not free a slot", metadata: ["job.key": "\(holding.job)", "error": "\(error)"])
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
