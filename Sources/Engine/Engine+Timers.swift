import Logging
import Workflow

/// What one tick did.
public struct TickSummary: Sendable, Equatable {
    public var markers = 0
    public var ticked = 0
    public var effects = 0
    /// Due workflows left for later because their document does not decode.
    public var skipped = 0

    public init(markers: Int = 0, ticked: Int = 0, effects: Int = 0, skipped: Int = 0) {
        self.markers = markers
        self.ticked = ticked
        self.effects = effects
        self.skipped = skipped
    }
}

extension Engine {
    /// Looks only at timer buckets that are due: applies the tick event to workflows whose deadline
    /// has passed and re-runs outbox entries whose lease or backoff has run out, `concurrency`
    /// workflows at a time, starting no new one once `budget` has passed.
    public func tick<Executor: EffectExecutor>(
        executor: Executor, budget: Duration = .seconds(20), concurrency: Int = 8
    ) async throws(EngineError) -> TickSummary where Executor.State == State {
        let started = ContinuousClock.now
        let now = clock.now()
        var markers = try await dueMarkers(now: now).makeIterator()
        let outcomes = await withTaskGroup(of: Result<TickSummary, EngineError>.self) { group in
            var outcomes: [Result<TickSummary, EngineError>] = []
            func startNext() {
                guard ContinuousClock.now - started < budget, let marker = markers.next() else { return }
                group.addTask { await visit(marker, now: now, executor: executor) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            for await outcome in group {
                outcomes.append(outcome)
                startNext()
            }
            return outcomes
        }
        var summary = TickSummary()
        for outcome in outcomes {
            let one = try outcome.get()
            summary.markers += one.markers
            summary.ticked += one.ticked
            summary.effects += one.effects
            summary.skipped += one.skipped
        }
        return summary
    }

    /// One due marker: its workflow ticked, its marker removed once the next one is in place.
    private func visit<Executor: EffectExecutor>(_ marker: StoreKey, now: Instant, executor: Executor) async -> Result<
        TickSummary, EngineError
    > where Executor.State == State {
        guard let (bucket, tenant, id) = marker.timerParts else { return .success(TickSummary()) }
        var summary = TickSummary(markers: 1)
        do throws(EngineError) {
            let (ticked, effects, next) = try await tickWorkflow(tenant: tenant, id: id, now: now, executor: executor)
            summary.ticked = ticked ? 1 : 0
            summary.effects = effects
            // Removed only once the workflow's next marker is in place, so a ticker that dies
            // half-way leaves the marker for the next tick instead of losing the workflow's timer.
            if next != bucket {
                do { try await store.delete(marker) } catch { throw .store(error) }
            }
            return .success(summary)
        } catch .store(.corrupt(let reason)) {
            // One unreadable document must not stall every tenant's timers: its marker stays
            // (so it is not forgotten) and the tick goes on with the others.
            logger.error(
                "Skipped a due workflow whose document does not decode",
                metadata: ["tenant.id": "\(tenant)", "workflow.id": "\(id)", "error": "\(reason)"])
            summary.skipped = 1
            return .success(summary)
        } catch {
            return .failure(error)
        }
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

    /// How long a tick waits at least for an earlier run of an entry it takes over (a short lease
    /// would otherwise give a slow run on a loaded machine no time to end).
    static var longestWait: Int64 { 10 }

    /// Waits for runs of `entries` this process still has under way (past three leases), up to a
    /// lease (at least `longestWait`); true when there were any, so the caller reads the document
    /// again before running them.
    private func waitForEarlierRuns(of entries: [OutboxEntry<State.Effect>], tenant: String, id: String) async
        -> Bool
    {
        await running.waitUntilEnded(
            entries.map { RunningEffects.key(tenant: tenant, id: id, entry: $0.key) },
            limit: .seconds(max(effectLeaseSeconds, Self.longestWait)))
    }

    /// One read, then one write for the tick and the fresh leases on due outbox entries together,
    /// then the effects, then the next marker from the document as it is then.
    private func tickWorkflow<Executor: EffectExecutor>(
        tenant: String, id: String, now: Instant, executor: Executor
    ) async throws(EngineError) -> (Bool, Int, String?) where Executor.State == State {
        guard let (document, _) = try await load(tenant: tenant, id: id) else { return (false, 0, nil) }
        let ticked = document.state.deadline.map { $0 <= now } ?? false
        var stale: [OutboxEntry<State.Effect>] = []
        for entry in document.outbox where entry.notBefore <= now {
            let key = RunningEffects.key(tenant: tenant, id: id, entry: entry.key)
            if await !running.isRunning(key, within: .seconds(3 * effectLeaseSeconds)) { stale.append(entry) }
        }
        var latest = document
        var ran = 0
        if ticked || !stale.isEmpty {
            let inputs =
                ticked ? [EventInput(id: "tick:\(now.milliseconds)", event: State.tick, remembered: false)] : []
            let leases = stale.map {
                Reschedule(key: $0.key, afterSeconds: effectLeaseSeconds, reason: $0.lastError ?? "lease expired")
            }
            let applied = try await apply(tenant: tenant, id: id, inputs, reschedule: leases)
            if case .applied(var next, let added) = applied {
                if await waitForEarlierRuns(of: stale, tenant: tenant, id: id),
                    let (reread, _) = try await load(tenant: tenant, id: id)
                {
                    next = reread
                }
                latest = next
                let keys = Set(stale.map(\.key)).subtracting(added.map(\.key))
                let due = added + next.outbox.filter { keys.contains($0.key) }
                if !due.isEmpty {
                    let carried = try await carryingOut(
                        due, tenant: tenant, id: id, executor: executor, budget: .seconds(5))
                    ran = carried.ran
                    latest = carried.last ?? latest
                }
            }
        }
        // Read again and register the bucket the document is in now: an event may have moved it
        // since, and the marker being visited is deleted once this one is in place.
        if ticked || !stale.isEmpty, let (current, _) = try await load(tenant: tenant, id: id) { latest = current }
        let next = latest.deadline.map(UTC.bucket)
        try await registerTimer(next, tenant: tenant, id: id)
        return (ticked, ran, next)
    }
}
