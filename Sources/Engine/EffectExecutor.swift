/// What came of carrying out one effect.
public enum EffectResult<Event: Sendable>: Sendable {
    /// Done (or given up for good): apply this event, which also removes the effect from the outbox.
    case completed(Event)
    /// Not done this time (rate limit, 5xx, network): leave it in the outbox and try again after
    /// `afterSeconds` (a rate limit's reset), or after an exponential backoff when nil.
    case retry(afterSeconds: Int64?, reason: String)
}

/// Carries out a workflow's effects against the outside world. Implementations look before they
/// create, using the effect's key, so running an effect twice does the work once.
public protocol EffectExecutor<State>: Sendable {
    associatedtype State: DurableWorkflow
    /// - Parameter rerun: false only for an effect's first run straight after the write that recorded
    ///   it; then nothing can exist yet, and the look before creating may be skipped.
    func execute(_ effect: State.Effect, tenant: String, workflow: String, rerun: Bool) async -> EffectResult<
        State.Event
    >
}

extension EffectExecutor {
    /// Runs an effect as a re-run: looking before creating.
    public func execute(_ effect: State.Effect, tenant: String, workflow: String) async -> EffectResult<State.Event> {
        await execute(effect, tenant: tenant, workflow: workflow, rerun: true)
    }
}
