import Workflow

/// A new not-before time for an outbox entry whose effect asked to be retried later.
public struct Reschedule: Sendable {
    public var key: String
    public var afterSeconds: Int64
    public var reason: String

    public init(key: String, afterSeconds: Int64, reason: String) {
        self.key = key
        self.afterSeconds = afterSeconds
        self.reason = reason
    }
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
            if let settles = input.settles, !next.outbox.contains(where: { $0.key == settles }) { continue }
            fresh = true
            let (state, effects) = State.transition(next.state, input.event, now: now)
            let settled = input.settles.map { key in next.outbox.removeAll { $0.key == key } } != nil
            guard state != next.state || !effects.isEmpty || settled else { continue }
            changed = true
            next.state = state
            next.remember(input.id)
            added += next.enqueue(effects, lease: now.adding(seconds: lease))
            next.append(
                HistoryEntry(
                    at: now, time: UTC.iso8601(now), eventID: input.id, event: State.summary(of: input.event),
                    effects: effects.map(State.summary(of:))))
        }
        for reschedule in reschedules {
            guard let index = next.outbox.firstIndex(where: { $0.key == reschedule.key }) else { continue }
            next.outbox[index].attempts += 1
            next.outbox[index].notBefore = now.adding(seconds: reschedule.afterSeconds)
            next.outbox[index].lastError = reschedule.reason
            changed = true
        }
        guard changed else { return fresh || inputs.isEmpty ? .unchanged(document) : .duplicate(document) }
        next.updatedAt = now
        return .applied(next, newEffects: added)
    }
}
