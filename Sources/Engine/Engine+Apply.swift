import Workflow

/// A new not-before time for an outbox entry whose effect asked to be retried later.
public struct Reschedule: Sendable {
    public var key: String
    /// Nil: back off exponentially with the entry's attempts (5 s, 10 s, … up to 10 minutes, with jitter).
    public var afterSeconds: Int64?
    public var reason: String

    public init(key: String, afterSeconds: Int64?, reason: String) {
        self.key = key
        self.afterSeconds = afterSeconds
        self.reason = reason
    }
}

/// Seconds before an effect that failed `attempts` times runs again: 5 · 2^(attempts-1), at most
/// ten minutes, plus up to a fifth more so many failed effects do not retry in step.
func backoff(attempts: Int) -> Int64 {
    let base = min(Int64(5) << Int64(min(max(attempts - 1, 0), 10)), 600)
    return base + Int64.random(in: 0...(base / 5))
}

extension Engine {
    /// The pure part of `apply`: the next document, without any I/O.
    static func applying(
        _ inputs: [EventInput<State.Event>], _ reschedules: [Reschedule], to document: Document<State>, now: Instant,
        lease: Int64
    ) -> Applied<State> {
        var next = document
        var added: [OutboxEntry<State.Effect>] = []
        var fresh = false
        var changed = false
        for input in inputs {
            if next.appliedEvents.contains(input.id) { continue }
            if let settles = input.settles, !next.outbox.contains(where: { $0.token == settles }) { continue }
            fresh = true
            let (state, effects) = State.transition(next.state, input.event, now: now)
            let settled = input.settles.map { token in next.outbox.removeAll { $0.token == token } } != nil
            guard state != next.state || !effects.isEmpty || settled else { continue }
            changed = true
            next.state = state
            next.outbox.removeAll { state.noLongerWants($0.effect) }
            if input.remembered { next.remember(input.id) }
            added += next.enqueue(effects, lease: now.adding(seconds: lease))
            next.append(
                HistoryEntry(
                    at: now, time: UTC.iso8601(now), eventID: input.id, event: State.summary(of: input.event),
                    effects: effects.map(State.summary(of:))))
        }
        for reschedule in reschedules {
            guard let index = next.outbox.firstIndex(where: { $0.key == reschedule.key }) else { continue }
            next.outbox[index].attempts += 1
            let delay = reschedule.afterSeconds ?? backoff(attempts: next.outbox[index].attempts)
            next.outbox[index].notBefore = now.adding(seconds: delay)
            next.outbox[index].lastError = reschedule.reason
            changed = true
        }
        guard changed else { return fresh || inputs.isEmpty ? .unchanged(document) : .duplicate(document) }
        next.updatedAt = now
        return .applied(next, newEffects: added)
    }
}
