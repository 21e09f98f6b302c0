#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a store operation did not happen.
public enum StoreError: Error, Equatable, Sendable {
    /// The document changed since it was read (compare-and-swap lost), or it already exists.
    case conflict(String)
    /// A key that breaks the naming rules.
    case invalidKey(String)
    /// The store could not be reached or answered with an error; nothing was written.
    case unavailable(String)
    /// A stored document could not be decoded; it is left as it is.
    case corrupt(String)
}

/// An opaque version of a stored document (a content hash or an ETag).
public struct Version: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { value }
}

/// A stored document: its bytes and the version they were read at.
public struct Stored: Sendable {
    public var data: Data
    public var version: Version
    public init(data: Data, version: Version) {
        self.data = data
        self.version = version
    }
}

/// Where documents live: a folder on disk or an S3 bucket. Writes are create-only or
/// compare-and-swap, so concurrent copies of a function never lose an update.
public protocol DocumentStore: Sendable {
    /// The document, or nil when there is none.
    func read(_ key: StoreKey) async throws(StoreError) -> Stored?
    /// Writes only if no document exists at `key`; `.conflict` otherwise.
    func create(_ key: StoreKey, _ data: Data) async throws(StoreError) -> Version
    /// Writes only if the document is still at `version`; `.conflict` otherwise.
    func replace(_ key: StoreKey, _ data: Data, ifMatch version: Version) async throws(StoreError) -> Version
    /// Writes unconditionally (timer markers).
    func put(_ key: StoreKey, _ data: Data) async throws(StoreError)
    /// Removes the document if present.
    func delete(_ key: StoreKey) async throws(StoreError)
    /// Removes the document only if it is still at `version`; `.conflict` otherwise (gone included).
    func delete(_ key: StoreKey, ifMatch version: Version) async throws(StoreError)
    /// Keys starting with `prefix`, in byte order, after `startAfter`, at most `limit`.
    func list(prefix: String, startAfter: String?, limit: Int) async throws(StoreError) -> [StoreKey]
}

extension DocumentStore {
    /// Every key under `prefix`, page by page.
    public func listAll(prefix: String) async throws(StoreError) -> [StoreKey] {
        var keys: [StoreKey] = []
        var after: String? = nil
        while true {
            let page = try await list(prefix: prefix, startAfter: after, limit: 1000)
            keys += page
            guard page.count == 1000, let last = page.last else { return keys }
            after = last.rawValue
        }
    }
}
