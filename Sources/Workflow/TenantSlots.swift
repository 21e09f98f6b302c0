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

/// The CI runs a tenant has in flight across all its workflows, the workflows waiting for one,
/// and each repository's recent dispatches. One document per tenant, changed under compare-and-swap.
///
/// Free slots go to waiting workflows first, oldest first; a workflow that got a slot and still
/// has jobs waiting goes to the back of the queue, so slots go round-robin across workflows.
public struct TenantSlots: Codable, Equatable, Sendable {
    public struct Holding: Codable, Equatable, Sendable {
        public var workflow: String
        public var since: Instant
    }

    public struct Waiter: Codable, Equatable, Sendable {
        public var workflow: String
        /// The jobs of the workflow that were refused a slot.
        public var keys: [String]
        public var since: Instant
        /// When a freed slot was promised to it; a waiter that does not come for it is dropped.
        public var wokenAt: Instant?
    }

    public enum Decision: Equatable, Sendable {
        case granted
        /// No slot is free (or the free ones are promised to workflows ahead): wait to be woken.
        case queued
        /// The repository's pace is used up until then.
        case paced(until: Instant)
    }

    public var schemaVersion = 1
    /// By job key (tenant, workflow, job, attempt).
    public var held: [String: Holding] = [:]
    public var waiting: [Waiter] = []
    /// Dispatch instants within the pace window, by `owner/repo`.
    public var recent: [String: [Instant]] = [:]

    /// How long a woken waiter keeps its promised slot.
    public static let wakeGraceSeconds: Int64 = 30

    public init() {}

    /// Takes a slot for `key`. Asking again for a key already held grants it again and counts nothing twice.
    public mutating func acquire(
        _ key: String, workflow: String, repository: String, limit: Int, pace: DispatchPace, now: Instant
    ) -> Decision {
        forgetExpired(pace: pace, now: now)
        if held[key] != nil { return .granted }
        let position = waiting.firstIndex { $0.workflow == workflow } ?? waiting.count
        guard position < limit - held.count else {
            if position == waiting.count {
                waiting.append(Waiter(workflow: workflow, keys: [key], since: now))
            } else if !waiting[position].keys.contains(key) {
                waiting[position].keys.append(key)
            }
            return .queued
        }
        let times = recent[repository, default: []]
        if times.count >= pace.count {
            return .paced(until: times[times.count - pace.count].adding(seconds: pace.seconds))
        }
        held[key] = Holding(workflow: workflow, since: now)
        recent[repository, default: []].append(now)
        if position < waiting.count {
            var waiter = waiting.remove(at: position)
            waiter.keys.removeAll { $0 == key }
            if !waiter.keys.isEmpty { waiting.append(Waiter(workflow: workflow, keys: waiter.keys, since: now)) }
        }
        return .granted
    }

    /// Takes the workflow out of the queue (it has nothing left to ask for) and passes what was
    /// promised to it on.
    public mutating func withdraw(_ workflow: String, limit: Int, now: Instant) -> [String] {
        waiting.removeAll { $0.workflow == workflow }
        return wake(limit: limit, now: now)
    }

    /// Frees the slot of `key` (nothing if it holds none) and returns the waiting workflows that
    /// free slots are now promised to, in order.
    public mutating func release(_ key: String, limit: Int, now: Instant) -> [String] {
        held[key] = nil
        return wake(limit: limit, now: now)
    }

    /// Promises free slots to the first waiters not yet woken.
    public mutating func wake(limit: Int, now: Instant) -> [String] {
        let free = max(0, limit - held.count)
        var woken: [String] = []
        for index in waiting.indices.prefix(free) where waiting[index].wokenAt == nil {
            waiting[index].wokenAt = now
            woken.append(waiting[index].workflow)
        }
        return woken
    }

    /// Holdings older than `seconds`: candidates to check against their workflow, in case a
    /// workflow ended without giving its slot back.
    public func holdings(olderThan seconds: Int64, now: Instant) -> [(key: String, holding: Holding)] {
        held.filter { $0.value.since.adding(seconds: seconds) <= now }.sorted { $0.value.since < $1.value.since }
            .map { (key: $0.key, holding: $0.value) }
    }

    private mutating func forgetExpired(pace: DispatchPace, now: Instant) {
        for (repository, times) in recent {
            let kept = times.filter { $0.adding(seconds: pace.seconds) > now }
            recent[repository] = kept.isEmpty ? nil : kept
        }
        waiting.removeAll { waiter in waiter.wokenAt.map { $0.adding(seconds: Self.wakeGraceSeconds) <= now } ?? false }
    }
}
