#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A small JSON document beside a tenant's workflows (its pause state, its slots, a PR's index):
/// where it lives and what it holds before it was first written.
public struct SideDocument<Value: Codable & Sendable & Equatable>: Sendable {
    public let key: StoreKey
    /// What reading a document that was never written gives.
    public let initial: Value

    public init(key: StoreKey, initial: Value) {
        self.key = key
        self.initial = initial
    }
}

/// The one way documents other than workflows are read and changed. A document that does not
/// decode is an error (`StoreError.corrupt`, naming its key): it is never read as empty and never
/// written over.
public struct SideDocuments: Sendable {
    let store: any DocumentStore

    public init(store: any DocumentStore) { self.store = store }

    /// The document's value, or its initial value when it was never written.
    public func read<Value>(_ document: SideDocument<Value>) async throws(StoreError) -> Value {
        guard let stored = try await store.read(document.key) else { return document.initial }
        return try StoredJSON.decode(Value.self, stored.data, key: document.key)
    }

    /// Changes the document under compare-and-swap, re-reading and re-applying `change` whenever
    /// another writer won. Nothing is written when `change` leaves the value as it was.
    /// - Returns: what `change` returned on the attempt that counted.
    public func modify<Value, Result>(
        _ document: SideDocument<Value>, attempts: Int = 16, _ change: (inout Value) -> Result
    ) async throws(StoreError) -> Result {
        try await store.modify(document.key, initial: document.initial, attempts: attempts, change)
    }
}

extension Engine {
    /// The documents beside this engine's workflows.
    public var sideDocuments: SideDocuments { SideDocuments(store: store) }
}
