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
/// that is what the lease and `rerun` are for).
public actor RunningEffects {
    private var keys: [String: Int] = [:]

    public init() {}

    func start(_ started: [String]) { for key in started { keys[key, default: 0] += 1 } }

    func end(_ ended: [String]) {
        for key in ended {
            let count = keys[key, default: 1] - 1
            keys[key] = count > 0 ? count : nil
        }
    }

    func isRunning(_ key: String) -> Bool { keys[key] != nil }
}
