import Logging
import Workflow

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why the engine could not apply an event.
public enum EngineError: Error, Equatable, Sendable {
    case store(StoreError)
    case notFound(tenant: String, workflow: String)
    /// Every compare-and-swap attempt lost to a concurrent writer.
    case tooManyConflicts(String)
}

/// One event to apply, with the id that makes a redelivery a no-op and, for an effect's result,
/// the outbox key it settles.
public struct EventInput<Event: Sendable>: Sendable {
    public var id: String
    public var event: Event
    public var settles: String?
    /// Whether the document keeps the id to refuse a redelivery. An effect's result is refused by
    /// its settled token instead, and an id nobody can send twice (a tick's) need not be kept.
    public var remembered: Bool

    public init(id: String, event: Event, settles: String? = nil, remembered: Bool = true) {
        self.id = id
        self.event = event
        self.settles = settles
        self.remembered = remembered && settles == nil
    }
}

/// What applying events did.
public enum Applied<State: DurableWorkflow>: Sendable {
    /// Written; these outbox entries are new and should be run now.
    case applied(Document<State>, newEffects: [OutboxEntry<State.Effect>])
    /// Every event was applied before (or its effect was already settled): nothing written.
    case duplicate(Document<State>)
    /// The events changed nothing: nothing written.
    case unchanged(Document<State>)

    public var document: Document<State> {
        switch self {
        case .applied(let document, _), .duplicate(let document), .unchanged(let document): document
        }
    }

    /// The new outbox entries when something was written; nil for a duplicate or no change.
    public var newEffects: [OutboxEntry<State.Effect>]? {
        if case .applied(_, let effects) = self { effects } else { nil }
    }
}

/// One caller's events and outbox reschedules, applied in one write with others' for the same workflow.
struct ApplyRequest<Event: Sendable>: Sendable {
    var inputs: [EventInput<Event>]
    var reschedules: [Reschedule]
}

/// Durable execution over a document store: load, apply, compare-and-swap write with the new
/// effects in the same write, then run the effects and feed their results back.
public struct Engine<State: DurableWorkflow>: Sendable {
    public let store: any DocumentStore
    public let clock: any WallClock
    public private(set) var logger: Logger
    /// How many times a write that lost a compare-and-swap is re-read and re-applied.
    public var maxConflictRetries = 12
    /// How long an effect may run before a timer assumes its runner died and runs it again.
    public var effectLeaseSeconds: Int64 = 60
    /// Shared by this engine's copies, so their writes to one workflow are batched.
    let running = RunningEffects()
    let writes = WriteQueue<ApplyRequest<State.Event>, Result<Applied<State>, EngineError>>()

    public init(store: any DocumentStore, clock: any WallClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// The document and its version, or nil.
    public func load(tenant: String, id: String) async throws(EngineError) -> (Document<State>, Version)? {
        let key = try storeKey(tenant, id)
        let stored: Stored?
        do { stored = try await store.read(key) } catch { throw .store(error) }
        guard let stored else { return nil }
        do {
            return (try Self.decoder.decode(Document<State>.self, from: stored.data), stored.version)
        } catch {
            throw .store(.corrupt("\(key): \(error)"))
        }
    }

    /// Creates the workflow unless it exists. Nil when it already existed (a redelivery).
    public func create(
        tenant: String, id: String, eventID: String, start: (Instant) -> (State, [State.Effect])
    ) async throws(EngineError) -> Applied<State>? {
        let key = try storeKey(tenant, id)
        // A redelivery finds the document and writes nothing, not even a timer marker.
        if try await load(tenant: tenant, id: id) != nil { return nil }
        let now = clock.now()
        let (state, effects) = start(now)
        var document = Document(tenant: tenant, id: id, state: state, now: now)
        document.remember(eventID)
        let added = document.enqueue(effects, lease: now.adding(seconds: effectLeaseSeconds))
        document.append(entry(now, eventID, "workflow started", effects))
        let bucket = document.deadline.map(UTC.bucket)
        document.timerBucket = bucket
        try await registerTimer(bucket, tenant: tenant, id: id)
        let data = try encode(document)
        do throws(StoreError) {
            _ = try await store.create(key, data)
        } catch .conflict {
            // A concurrent copy created it first: take back a marker that only ours needed.
            try await withdrawTimer(bucket, unlessUsedBy: tenant, id)
            return nil
        } catch {
            throw .store(error)
        }
        Faults.hit(.afterStoreWrite)
        logger.info("Created workflow", metadata: ["tenant.id": "\(tenant)", "workflow.id": "\(id)"])
        return .applied(document, newEffects: added)
    }

    /// Applies events in order in one compare-and-swap write, retrying on conflict. Calls for the
    /// same workflow that arrive while its write is under way are applied together in the next one.
    public func apply(
        tenant: String, id: String, _ inputs: [EventInput<State.Event>], reschedule: [Reschedule] = []
    ) async throws(EngineError) -> Applied<State> {
        let key = try storeKey(tenant, id)
        let request = ApplyRequest<State.Event>(inputs: inputs, reschedules: reschedule)
        return try await writes.submit(key.rawValue, request) { requests in
            await applyTogether(requests, tenant: tenant, id: id)
        }.get()
    }

    /// One write for several callers' events, each caller's applied in turn to what the one
    /// before left; every caller gets the document as written and the effects it added.
    func applyTogether(_ requests: [ApplyRequest<State.Event>], tenant: String, id: String) async -> [Result<
        Applied<State>, EngineError
    >] {
        do throws(EngineError) {
            let key = try storeKey(tenant, id)
            for attempt in 0..<maxConflictRetries {
                guard let (document, version) = try await load(tenant: tenant, id: id) else {
                    throw .notFound(tenant: tenant, workflow: id)
                }
                let now = clock.now()
                var next = document
                var results: [Applied<State>] = []
                for request in requests {
                    let result = Self.applying(
                        request.inputs, request.reschedules, to: next, now: now, lease: effectLeaseSeconds)
                    if case .applied(let applied, _) = result { next = applied }
                    results.append(result)
                }
                guard results.contains(where: { $0.newEffects != nil }) else { return results.map { .success($0) } }
                let bucket = next.deadline.map(UTC.bucket)
                let moved = bucket != next.timerBucket
                next.timerBucket = bucket
                if moved { try await registerTimer(bucket, tenant: tenant, id: id) }
                let data = try encode(next)
                do throws(StoreError) {
                    _ = try await store.replace(key, data, ifMatch: version)
                } catch .conflict {
                    logger.debug("Write conflict", metadata: ["workflow.id": "\(id)", "attempt": "\(attempt)"])
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 << min(attempt, 5)))))
                    continue
                } catch {
                    throw .store(error)
                }
                Faults.hit(.afterStoreWrite)
                return results.map { result in .success(Self.written(result, as: next)) }
            }
            throw .tooManyConflicts("\(key)")
        } catch {
            return requests.map { _ in .failure(error) }
        }
    }

    /// A caller's result once the batch is written: the written document, and of the effects it
    /// added those a later caller's events did not take back.
    static func written(_ result: Applied<State>, as document: Document<State>) -> Applied<State> {
        guard case .applied(_, let added) = result else { return result }
        let waiting = Set(document.outbox.map(\.token))
        return .applied(document, newEffects: added.filter { waiting.contains($0.token) })
    }

    /// This engine, logging with `logger` (a request's, which carries its id).
    public func with(logger: Logger) -> Engine {
        var copy = self
        copy.logger = logger
        return copy
    }

    func storeKey(_ tenant: String, _ id: String) throws(EngineError) -> StoreKey {
        do { return try StoreKey.workflow(tenant: tenant, id: id) } catch { throw .store(error) }
    }

    func encode(_ document: Document<State>) throws(EngineError) -> Data {
        do { return try Self.encoder.encode(document) } catch { throw .store(.corrupt("encode: \(error)")) }
    }

    func registerTimer(_ bucket: String?, tenant: String, id: String) async throws(EngineError) {
        guard let bucket else { return }
        do {
            try await store.put(try StoreKey.timer(bucket: bucket, tenant: tenant, workflow: id), Data())
        } catch {
            throw .store(error)
        }
    }

    /// Deletes the marker in `bucket` unless the stored document is registered there too.
    func withdrawTimer(_ bucket: String?, unlessUsedBy tenant: String, _ id: String) async throws(EngineError) {
        guard let bucket, let (existing, _) = try await load(tenant: tenant, id: id), existing.timerBucket != bucket
        else {
            return
        }
        do { try await store.delete(try StoreKey.timer(bucket: bucket, tenant: tenant, workflow: id)) } catch {
            throw .store(error)
        }
    }

    func entry(_ now: Instant, _ eventID: String, _ event: String, _ effects: [State.Effect]) -> HistoryEntry {
        HistoryEntry(
            at: now, time: UTC.iso8601(now), eventID: eventID, event: event, effects: effects.map(State.summary(of:)))
    }

    static var encoder: JSONEncoder { StoredJSON.encoder }

    static var decoder: JSONDecoder { JSONDecoder() }
}
