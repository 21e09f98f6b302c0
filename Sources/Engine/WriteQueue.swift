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
