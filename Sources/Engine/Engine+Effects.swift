import Logging
import Workflow

extension Engine {
    /// Runs outbox entries, applies their results in one write, and repeats with the effects those
    /// results produce, until none is left or `budget` has passed. What is left stays in the outbox
    /// for a timer to run.
    /// - Returns: how many effects ran.
    @discardableResult
    public func carryOut<Executor: EffectExecutor>(
        _ entries: [OutboxEntry<State.Effect>], tenant: String, id: String, executor: Executor,
        budget: Duration = .seconds(5)
    ) async throws(EngineError) -> Int where Executor.State == State {
        try await carryingOut(entries, tenant: tenant, id: id, executor: executor, budget: budget).ran
    }

    /// `carryOut`, also giving the document its last write left (nil when nothing was written).
    func carryingOut<Executor: EffectExecutor>(
        _ entries: [OutboxEntry<State.Effect>], tenant: String, id: String, executor: Executor, budget: Duration
    ) async throws(EngineError) -> (ran: Int, last: Document<State>?) where Executor.State == State {
        let started = ContinuousClock.now
        var pending = entries
        var ran = 0
        var last: Document<State>? = nil
        while !pending.isEmpty, ContinuousClock.now - started < budget {
            let keys = pending.map { RunningEffects.key(tenant: tenant, id: id, entry: $0.key) }
            await running.start(keys)
            let results = await execute(pending, tenant: tenant, id: id, executor: executor)
            Faults.hit(.afterEffectCall)
            ran += results.count
            var inputs: [EventInput<State.Event>] = []
            var reschedules: [Reschedule] = []
            for (entry, result) in results {
                let key = entry.key
                switch result {
                case .completed(let event):
                    inputs.append(EventInput(id: "effect:\(entry.token)", event: event, settles: entry.token))
                case .retry(let seconds, let reason):
                    logger.warning(
                        "Effect will be retried",
                        metadata: ["workflow.id": "\(id)", "effect.key": "\(key)", "reason": "\(reason)"])
                    reschedules.append(Reschedule(key: key, afterSeconds: seconds, reason: reason))
                }
            }
            // The keys count as running until their results are written: a tick waiting for them
            // then reads the document with the results in it, not before.
            let applied: Applied<State>
            do {
                applied = try await apply(tenant: tenant, id: id, inputs, reschedule: reschedules)
            } catch {
                await running.end(keys)
                throw error
            }
            await running.end(keys)
            guard case .applied(let document, let added) = applied else { break }
            last = document
            pending = added
        }
        return (ran, last)
    }

    private func execute<Executor: EffectExecutor>(
        _ entries: [OutboxEntry<State.Effect>], tenant: String, id: String, executor: Executor
    ) async -> [(OutboxEntry<State.Effect>, EffectResult<State.Event>)] where Executor.State == State {
        await withTaskGroup(of: (Int, OutboxEntry<State.Effect>, EffectResult<State.Event>).self) { group in
            for (index, entry) in entries.enumerated() {
                group.addTask {
                    (
                        index, entry,
                        await executor.execute(
                            entry.effect, tenant: tenant, workflow: id,
                            lease: EffectLease(
                                rerun: entry.attempts > 0, ends: entry.notBefore, attempts: entry.attempts))
                    )
                }
            }
            var results: [(Int, OutboxEntry<State.Effect>, EffectResult<State.Event>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
        }
    }
}
