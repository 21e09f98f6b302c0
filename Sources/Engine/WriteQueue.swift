/// Group commit per document: requests for one key that arrive while a write to it is under way
/// wait, and the next write carries all of them. Inside one process nothing then loses a
/// compare-and-swap race to itself; across processes compare-and-swap still decides.
public actor WriteQueue<Request: Sendable, Response: Sendable> {
    /// Writes one batch: a response per request, in order.
    public typealias Writer = @Sendable ([Request]) async -> [Response]

    private struct Pending {
        var request: Request
        var continuation: CheckedContinuation<Response, Never>
    }

    private var queued: [String: [Pending]] = [:]
    private var writing: Set<String> = []

    public init() {}

    /// Hands `request` to the next write of `key` and waits for its response.
    public func submit(_ key: String, _ request: Request, writer: @escaping Writer) async -> Response {
        await withCheckedContinuation { continuation in
            queued[key, default: []].append(Pending(request: request, continuation: continuation))
            if writing.insert(key).inserted {
                Task { await self.drain(key, writer) }
            }
        }
    }

    /// Writes batches for `key` until nothing is waiting.
    private func drain(_ key: String, _ writer: Writer) async {
        while let batch = queued.removeValue(forKey: key), !batch.isEmpty {
            let responses = await writer(batch.map(\.request))
            for (pending, response) in zip(batch, responses) { pending.continuation.resume(returning: response) }
        }
        writing.remove(key)
    }
}

/// The outbox entries this process is carrying out right now, so a tick here does not start a
/// second run of one whose lease ran out while it is still under way (another process still may:
/// that is what the lease and `rerun` are for). Only for a while: one that has run for longer is
/// run again as if this process had died.
public actor RunningEffects {
    private var keys: [String: (count: Int, since: ContinuousClock.Instant)] = [:]

    public init() {}

    /// The key an outbox entry of a workflow runs under.
    static func key(tenant: String, id: String, entry: String) -> String { "\(tenant)/\(id)/\(entry)" }

    func start(_ started: [String]) {
        let now = ContinuousClock.now
        for key in started { keys[key] = ((keys[key]?.count ?? 0) + 1, keys[key]?.since ?? now) }
    }

    func end(_ ended: [String]) {
        for key in ended {
            guard let entry = keys[key] else { continue }
            keys[key] = entry.count > 1 ? (entry.count - 1, entry.since) : nil
        }
    }

    func isRunning(_ key: String, within: Duration) -> Bool {
        guard let since = keys[key]?.since else { return false }
        return ContinuousClock.now - since < within
    }

    /// Waits until none of `waited` is running here any more, or `limit` has passed. A run that
    /// takes an entry over from one still under way here waits for it first: the earlier run then
    /// either reached the CI (and the later one, looking first, finds its run) or gives up at its
    /// lease check. Past `limit` the earlier run is taken to be stuck.
    /// - Returns: whether any of them was running here when asked.
    func waitUntilEnded(_ waited: [String], limit: Duration) async -> Bool {
        let start = ContinuousClock.now
        let any = waited.contains { keys[$0] != nil }
        while waited.contains(where: { keys[$0] != nil }), ContinuousClock.now - start < limit {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return any
    }
}
