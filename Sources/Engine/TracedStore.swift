import Tracing
import Workflow

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A document store whose every operation is a client span (`store read`, `store replace`…) under
/// the span current at the call, naming the key and how it ended. Without a tracer bootstrapped
/// the spans are no-ops.
public struct TracedStore: DocumentStore {
    let base: any DocumentStore

    public init(_ base: any DocumentStore) { self.base = base }

    private func traced<T>(_ operation: String, _ key: String, _ body: () async throws(StoreError) -> T)
        async throws(StoreError) -> T
    {
        let span = startSpan("store \(operation)", ofKind: .client)
        span.attributes["db.operation.name"] = operation
        span.attributes["tinybug.store.key"] = key
        defer { span.end() }
        do {
            let result = try await body()
            span.attributes["tinybug.store.outcome"] = "ok"
            return result
        } catch {
            span.attributes["tinybug.store.outcome"] = { if case .conflict = error { "conflict" } else { "error" } }()
            if case .conflict = error {} else { span.setStatus(SpanStatus(code: .error, message: "\(error)")) }
            throw error
        }
    }

    public func read(_ key: StoreKey) async throws(StoreError) -> Stored? {
        try await traced("read", key.rawValue) { () throws(StoreError) in try await base.read(key) }
    }
    public func create(_ key: StoreKey, _ data: Data) async throws(StoreError) -> Version {
        try await traced("create", key.rawValue) { () throws(StoreError) in try await base.create(key, data) }
    }
    public func replace(_ key: StoreKey, _ data: Data, ifMatch version: Version) async throws(StoreError) -> Version {
        try await traced("replace", key.rawValue) { () throws(StoreError) in
            try await base.replace(key, data, ifMatch: version)
        }
    }
    public func put(_ key: StoreKey, _ data: Data) async throws(StoreError) {
        try await traced("put", key.rawValue) { () throws(StoreError) in try await base.put(key, data) }
    }
    public func delete(_ key: StoreKey) async throws(StoreError) {
        try await traced("delete", key.rawValue) { () throws(StoreError) in try await base.delete(key) }
    }
    public func delete(_ key: StoreKey, ifMatch version: Version) async throws(StoreError) {
        try await traced("delete", key.rawValue) { () throws(StoreError) in try await base.delete(key, ifMatch: version)
        }
    }
    public func list(prefix: String, startAfter: String?, limit: Int) async throws(StoreError) -> [StoreKey] {
        try await traced("list", prefix) { () throws(StoreError) in
            try await base.list(prefix: prefix, startAfter: startAfter, limit: limit)
        }
    }
}
