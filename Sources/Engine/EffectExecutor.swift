import Workflow

/// What came of carrying out one effect.
public enum EffectResult<Event: Sendable>: Sendable {
    /// Done (or given up for good): apply this event, which also removes the effect from the outbox.
    case completed(Event)
    /// Not done this time (rate limit, 5xx, network): leave it in the outbox and try again after
    /// `afterSeconds` (a rate limit's reset), or after an exponential backoff when nil.
    case retry(afterSeconds: Int64?, reason: String)
}

/// How one run of an outbox entry is held: whether it may be a second run, and until when no other
/// run will start.
public struct EffectLease: Sendable, Equatable {
    /// False only for an effect's first run straight after the write that recorded it; then nothing
    /// can exist yet, and the look before creating may be skipped.
    public var rerun: Bool
    /// When a timer may start another run of the same entry, in any process.
    public var ends: Instant
    /// The entry's `attempts` when this run began: a timer that starts another run raises it.
    public var attempts: Int

    public init(rerun: Bool, ends: Instant, attempts: Int = 0) {
        self.rerun = rerun
        self.ends = ends
        self.attempts = attempts
    }

    /// A re-run that no timer competes with: what a caller outside the engine asks for.
    public static let unbounded = EffectLease(rerun: true, ends: Instant(milliseconds: .max))

    /// Whether the lease is over at `now`: another run may have begun since, and it may have looked
    /// for what this one would create before this one created it.
    public func hasEnded(at now: Instant) -> Bool { now >= ends }

    /// Whether this run still holds `entry` (as stored now): no other run has begun since this one
    /// did. Nil (the entry is gone: settled, or no longer wanted) holds nothing.
    public func holds<Effect>(_ entry: OutboxEntry<Effect>?) -> Bool {
        entry?.attempts == attempts
    }
}

/// Carries out a workflow's effects against the outside world. Implementations look before they
/// create, using the effect's key, so running an effect twice does the work once.
public protocol EffectExecutor<State>: Sendable {
    associatedtype State: DurableWorkflow
    func execute(_ effect: State.Effect, tenant: String, workflow: String, lease: EffectLease) async -> EffectResult<
        State.Event
    >
}

extension EffectExecutor {
    /// Runs an effect as a re-run: looking before creating.
    public func execute(_ effect: State.Effect, tenant: String, workflow: String) async -> EffectResult<State.Event> {
        await execute(effect, tenant: tenant, workflow: workflow, lease: .unbounded)
    }
}
