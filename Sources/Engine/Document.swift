import Workflow

/// An effect recorded in the same write as the state that produced it; removed when its result is applied.
public struct OutboxEntry<Effect: Codable & Sendable>: Codable, Sendable {
    public var key: String
    public var effect: Effect
    public var attempts: Int
    /// Not to be run again before this instant (a lease while it runs, or a backoff after a failure).
    public var notBefore: Instant
    public var lastError: String?
    /// Tells this entry from an earlier one with the same key that was already settled, so the
    /// earlier one's result (a late duplicate) cannot settle it. Nil in documents written before it.
    public var serial: Int?

    /// What an effect's result names to settle this entry.
    public var token: String { serial.map { "\(key)#\($0)" } ?? key }
}

/// One line of a workflow's history.
public struct HistoryEntry: Codable, Equatable, Sendable {
    public var at: Instant
    public var time: String
    public var eventID: String
    public var event: String
    public var effects: [String]
}

/// The stored form of a workflow: its state, outbox, the ids of events already applied and a
/// bounded history. Human-readable JSON with a schema version.
public struct Document<State: DurableWorkflow>: Codable, Sendable {
    public static var currentSchema: Int { 1 }
    public static var maxAppliedEvents: Int { 512 }
    public static var maxHistory: Int { 400 }

    public var schemaVersion: Int
    public var tenant: String
    public var id: String
    public var createdAt: Instant
    public var updatedAt: Instant
    public var state: State
    public var outbox: [OutboxEntry<State.Effect>]
    public var appliedEvents: [String]
    /// How many old history entries were dropped to keep the document small.
    public var historyFolded: Int
    public var history: [HistoryEntry]
    /// The timer bucket this document is registered in, if any.
    public var timerBucket: String?
    /// The serial of the last outbox entry added.
    public var outboxSerial: Int?

    init(tenant: String, id: String, state: State, now: Instant) {
        schemaVersion = Self.currentSchema
        self.tenant = tenant
        self.id = id
        createdAt = now
        updatedAt = now
        self.state = state
        outbox = []
        appliedEvents = []
        historyFolded = 0
        history = []
    }

    /// The next moment a timer must look at this document: a state deadline or an outbox entry.
    public var deadline: Instant? {
        ([state.deadline].compactMap { $0 } + outbox.map(\.notBefore)).min()
    }

    mutating func remember(_ eventID: String) {
        appliedEvents.append(eventID)
        if appliedEvents.count > Self.maxAppliedEvents {
            appliedEvents.removeFirst(appliedEvents.count - Self.maxAppliedEvents)
        }
    }

    mutating func append(_ entry: HistoryEntry) {
        history.append(entry)
        if history.count > Self.maxHistory {
            let excess = history.count - Self.maxHistory
            history.removeFirst(excess)
            historyFolded += excess
        }
    }

    /// Adds effects to the outbox, skipping any whose key is already waiting there.
    mutating func enqueue(_ effects: [State.Effect], lease: Instant) -> [OutboxEntry<State.Effect>] {
        var added: [OutboxEntry<State.Effect>] = []
        for effect in effects {
            let key = State.key(of: effect)
            guard !outbox.contains(where: { $0.key == key }) else { continue }
            let serial = (outboxSerial ?? 0) + 1
            outboxSerial = serial
            let entry = OutboxEntry(
                key: key, effect: effect, attempts: 0, notBefore: lease, lastError: nil, serial: serial)
            outbox.append(entry)
            added.append(entry)
        }
        return added
    }
}
