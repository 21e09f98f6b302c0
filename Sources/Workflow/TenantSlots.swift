/// How fast one repository may have CI runs dispatched: at most `count` in any `seconds`.
public struct DispatchPace: Codable, Equatable, Sendable {
    public var count: Int
    public var seconds: Int64

    /// GitHub's limit on queued workflow runs is per repository; 50 in 10 seconds stays well inside it.
    public init(count: Int = 50, seconds: Int64 = 10) {
        self.count = max(1, count)
        self.seconds = max(1, seconds)
    }
}

/// One repository's recent dispatches, counted in tenths of the pace's window: a fixed size
/// whatever the rate. A tenth is counted whole until all of it is out of the window, so no window
/// of `seconds` ever holds more than `count` dispatches (the price: up to a tenth of the pace unused).
public struct PaceWindow: Codable, Equatable, Sendable {
    public struct Tenth: Codable, Equatable, Sendable {
        /// Milliseconds since 1970 divided by the tenth's width.
        public var index: Int64
        public var count: Int
    }

    /// Oldest first.
    public var tenths: [Tenth] = []

    static let parts: Int64 = 10

    static func width(_ pace: DispatchPace) -> Int64 { max(1, pace.seconds * 1000 / parts) }

    /// Forgets tenths that are wholly out of the window at `now`.
    mutating func forget(_ pace: DispatchPace, now: Instant) {
        let current = now.milliseconds / Self.width(pace)
        tenths.removeAll { $0.index < current - Self.parts }
    }

    /// When one more dispatch fits, if not now.
    func pacedUntil(_ pace: DispatchPace) -> Instant? {
        var remaining = tenths.reduce(0) { $0 + $1.count }
        guard remaining >= pace.count else { return nil }
        for tenth in tenths {
            remaining -= tenth.count
            if remaining < pace.count {
                return Instant(milliseconds: (tenth.index + Self.parts + 1) * Self.width(pace))
            }
        }
        return nil
    }

    /// Counts `change` dispatches (one, or minus one to give a place back) at `now`.
    mutating func record(_ pace: DispatchPace, now: Instant, _ change: Int) {
        let index = now.milliseconds / Self.width(pace)
        if let last = tenths.indices.last, tenths[last].index == index {
            tenths[last].count += change
            if tenths[last].count <= 0 { tenths.removeLast() }
        } else if change > 0 {
            tenths.append(Tenth(index: index, count: change))
        } else if let last = tenths.indices.last {
            tenths[last].count += change
            if tenths[last].count <= 0 { tenths.removeLast() }
        }
    }
}

/// A tenant's queue for CI run slots and its repositories' dispatch pace: one small document per
/// tenant, changed under compare-and-swap. The slots themselves are documents of their own (one per
/// run in flight), so this one stays the same size however many runs are in flight.
///
/// Slots go to waiting workflows first, oldest first; a workflow that got one and still has jobs
/// waiting goes to the back of the queue, so slots go round-robin across workflows.
public struct TenantSlots: Codable, Equatable, Sendable {
    public struct Waiter: Codable, Equatable, Sendable {
        public var workflow: String
        /// The jobs of the workflow that were refused a slot.
        public var keys: [String]
        public var since: Instant
        /// When a freed slot was promised to it; a waiter that does not come for it is dropped.
        public var wokenAt: Instant?
    }

    public enum Decision: Equatable, Sendable {
        /// The pace has room and no workflow is ahead: take a slot (and say `took` or `wait`).
        case granted
        /// Workflows ahead are waiting for a slot: wait to be woken.
        case queued
        /// The repository's pace is used up until then.
        case paced(until: Instant)
    }

    public var schemaVersion = 2
    public var waiting: [Waiter] = []
    /// By `owner/repo`.
    public var paces: [String: PaceWindow] = [:]

    /// How long a woken waiter keeps its promised slot.
    public static let wakeGraceSeconds: Int64 = 30

    public init() {}

    /// Whether `key` may try for a slot now: nobody is waiting, or its workflow was promised one,
    /// or is first in line. Granted reserves a place in the pace; `wait` gives it back.
    public mutating func admit(_ key: String, workflow: String, repository: String, pace: DispatchPace, now: Instant)
        -> Decision
    {
        forgetExpired(pace: pace, now: now)
        if let position = waiting.firstIndex(where: { $0.workflow == workflow }) {
            guard position == 0 || waiting[position].wokenAt != nil else {
                if !waiting[position].keys.contains(key) { waiting[position].keys.append(key) }
                return .queued
            }
        } else if !waiting.isEmpty {
            waiting.append(Waiter(workflow: workflow, keys: [key], since: now))
            return .queued
        }
        var window = paces[repository, default: PaceWindow()]
        if let until = window.pacedUntil(pace) { return .paced(until: until) }
        window.record(pace, now: now, 1)
        paces[repository] = window
        return .granted
    }

    /// `key` got its slot: it leaves the queue, and its workflow goes to the back if it still waits for others.
    public mutating func took(_ key: String, workflow: String, now: Instant) {
        guard let position = waiting.firstIndex(where: { $0.workflow == workflow }) else { return }
        var waiter = waiting.remove(at: position)
        waiter.keys.removeAll { $0 == key }
        if !waiter.keys.isEmpty { waiting.append(Waiter(workflow: workflow, keys: waiter.keys, since: now)) }
    }

    /// `key` was admitted but every slot was held: its pace place is given back and it waits in line
    /// (keeping its place if its workflow already had one), to be woken by the next freed slot.
    public mutating func wait(_ key: String, workflow: String, repository: String, pace: DispatchPace, now: Instant) {
        paces[repository]?.record(pace, now: now, -1)
        if paces[repository]?.tenths.isEmpty == true { paces[repository] = nil }
        if let position = waiting.firstIndex(where: { $0.workflow == workflow }) {
            waiting[position].wokenAt = nil
            if !waiting[position].keys.contains(key) { waiting[position].keys.append(key) }
        } else {
            waiting.append(Waiter(workflow: workflow, keys: [key], since: now))
        }
    }

    /// Takes the workflow out of the queue (it has nothing left to ask for); if a slot was promised
    /// to it, the promise goes to the next waiter, which is returned.
    public mutating func withdraw(_ workflow: String, now: Instant) -> [String] {
        let promised = waiting.contains { $0.workflow == workflow && $0.wokenAt != nil }
        waiting.removeAll { $0.workflow == workflow }
        return promised ? promise(now: now) : []
    }

    /// A slot was freed: it is promised to the first waiter not yet woken, which is returned.
    public mutating func promise(now: Instant) -> [String] {
        guard let index = waiting.firstIndex(where: { $0.wokenAt == nil }) else { return [] }
        waiting[index].wokenAt = now
        return [waiting[index].workflow]
    }

    private mutating func forgetExpired(pace: DispatchPace, now: Instant) {
        for repository in paces.keys {
            paces[repository]?.forget(pace, now: now)
            if paces[repository]?.tenths.isEmpty == true { paces[repository] = nil }
        }
        waiting.removeAll { waiter in waiter.wokenAt.map { $0.adding(seconds: Self.wakeGraceSeconds) <= now } ?? false }
    }

    enum CodingKeys: String, CodingKey { case schemaVersion, waiting, paces }

    /// Reads the first schema too (slots held inside this document, which it no longer keeps): its queue stays.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        waiting = try container.decodeIfPresent([Waiter].self, forKey: .waiting) ?? []
        paces = try container.decodeIfPresent([String: PaceWindow].self, forKey: .paces) ?? [:]
    }
}

/// Who holds one of a tenant's numbered slots, and since when: the slot's own document.
public struct SlotHolding: Codable, Equatable, Sendable {
    /// The job key (tenant, workflow, job, attempt) whose CI run holds the slot.
    public var job: String
    public var since: Instant

    public init(job: String, since: Instant) {
        self.job = job
        self.since = since
    }

    /// The slot a job tries first among a tenant's `limit`: one its key picks (FNV-1a), the same in
    /// every process, so two copies of one dispatch meet there.
    public static func firstProbe(_ job: String, limit: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in job.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(hash % UInt64(max(1, limit)))
    }
}
