import Logging
import Workflow

/// What one tick did.
public struct TickSummary: Sendable, Equatable {
    public var markers = 0
    public var ticked = 0
    public var effects = 0
    /// Due workflows left for later because their document does not decode.
    public var skipped = 0
}

extension Engine {
    /// Looks only at timer buckets that are due: applies the tick event to workflows whose deadline
    /// has passed and re-runs outbox entries whose lease or backoff has run out.
    public func tick<Executor: EffectExecutor>(
        executor: Executor, budget: Duration = .seconds(20)
    ) async throws(EngineError) -> TickSummary where Executor.State == State {
        let started = ContinuousClock.now
        let now = clock.now()
        var summary = TickSummary()
        for marker in try await dueMarkers(now: now) where ContinuousClock.now - started < budget {
            guard let (bucket, tenant, id) = marker.timerParts else { continue }
            summary.markers += 1
            let (ticked, effects, next): (Bool, Int, String?)
            do {
                (ticked, effects, next) = try await tickWorkflow(tenant: tenant, id: id, now: now, executor: executor)
            } catch .store(.corrupt(let reason)) {
                // One unreadable document must not stall every tenant's timers: its marker stays
                // (so it is not forgotten) and the tick goes on with the others.
                logger.error(
                    "Skipped a due workflow whose document does not decode",
                    metadata: ["tenant.id": "\(tenant)", "workflow.id": "\(id)", "error": "\(reason)"])
                summary.skipped += 1
                continue
            }
            summary.ticked += ticked ? 1 : 0
            summary.effects += effects
            // Removed only once the workflow's next marker is in place, so a ticker that dies
            // half-way leaves the marker for the next tick instead of losing the workflow's timer.
            guard next != bucket else { continue }
            do {
                try await store.delete(marker)
            } catch {
                throw .store(error)
            }
        }
        return summary
    }

    /// Timer markers in buckets up to the current minute, oldest first, interleaved across tenants
    /// so one tenant's backlog does not hold back another's.
    func dueMarkers(now: Instant) async throws(EngineError) -> [StoreKey] {
        let due = UTC.bucket(now)
        var keys: [StoreKey] = []
        var after: String? = nil
        paging: while true {
            let page: [StoreKey]
            do { page = try await store.list(prefix: StoreKey.timersPrefix, startAfter: after, limit: 1000) } catch {
                throw .store(error)
            }
            for key in page {
                guard let parts = key.timerParts, parts.bucket <= due else { break paging }
                keys.append(key)
            }
            guard page.count == 1000, let last = page.last else { break }
            after = last.rawValue
        }
        return Self.roundRobin(keys)
    }

    /// The order a tick visits due timers in: one per tenant in turn.
    public static func tickOrder(_ keys: [StoreKey]) -> [StoreKey] { roundRobin(keys) }

    static func roundRobin(_ keys: [StoreKey]) -> [StoreKey] {
        var byTenant: [String: [StoreKey]] = [:]
        var order: [String] = []
        for key in keys {
            let tenant = key.timerParts?.tenant ?? ""
            if byTenant[tenant] == nil { order.append(tenant) }
            byTenant[tenant, default: []].append(key)
        }
        var result: [StoreKey] = []
        var round = 0
        while result.count < keys.count {
            for tenant in order where byTenant[tenant]!.count > round { result.append(byTenant[tenant]![round]) }
            round += 1
        }
        return result
    }

    private func tickWorkflow<Executor: EffectExecutor>(
        tenant: String, id: String, now: Instant, executor: Executor
    ) async throws(EngineError) -> (Bool, Int, String?) where Executor.State == State {
        guard let (document, _) = try await load(tenant: tenant, id: id) else { return (false, 0, nil) }
        var ticked = false
        var due: [OutboxEntry<State.Effect>] = []
        if let deadline = document.state.deadline, deadline <= now {
            let applied = try await apply(
                tenant: tenant, id: id, [EventInput(id: "tick:\(now.milliseconds)", event: State.tick)])
            ticked = true
            if case .applied(_, let added) = applied { due += added }
        }
        due += try await claimStaleOutbox(tenant: tenant, id: id, now: now)
        let ran = due.isEmpty ? 0 : try await carryOut(due, tenant: tenant, id: id, executor: executor)
        guard let (latest, _) = try await load(tenant: tenant, id: id) else { return (ticked, ran, nil) }
        let next = latest.deadline.map(UTC.bucket)
        try await registerTimer(next, tenant: tenant, id: id)
        return (ticked, ran, next)
    }

    /// Takes a fresh lease on outbox entries whose lease or backoff has passed, so one ticker runs them.
    private func claimStaleOutbox(tenant: String, id: String, now: Instant) async throws(EngineError)
        -> [OutboxEntry<State.Effect>]
    {
        guard let (document, _) = try await load(tenant: tenant, id: id) else { return [] }
        let stale = document.outbox.filter { $0.notBefore <= now }
        guard !stale.isEmpty else { return [] }
        let leases = stale.map {
            Reschedule(key: $0.key, afterSeconds: effectLeaseSeconds, reason: $0.lastError ?? "lease expired")
        }
        let applied = try await apply(tenant: tenant, id: id, [], reschedule: leases)
        guard case .applied(let next, _) = applied else { return [] }
        let keys = Set(stale.map(\.key))
        return next.outbox.filter { keys.contains($0.key) }
    }
}
