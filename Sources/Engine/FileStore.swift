import Hashing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Documents as files under a root folder. A write goes to a temporary file that is fsynced,
/// renamed over the target and followed by an fsync of the folder, so a crash leaves the old
/// document or the new one, never a torn one. Compare-and-swap holds an advisory lock per
/// document; the version is a hash of the content.
public struct FileStore: DocumentStore {
    public let root: String

    public init(root: String) throws(StoreError) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        try FileSystem.makeDirectories(self.root)
    }

    public func read(_ key: StoreKey) async throws(StoreError) -> Stored? {
        guard let data = try FileSystem.readFile(path(key)) else { return nil }
        return Stored(data: data, version: Self.version(of: data))
    }

    public func create(_ key: StoreKey, _ data: Data) async throws(StoreError) -> Version {
        let target = path(key)
        return try FileSystem.withLock(lockPath(key), directory: directory(of: target)) { () throws(StoreError) in
            if try FileSystem.exists(target) { throw .conflict("\(key) already exists") }
            try FileSystem.writeAtomically(data, to: target)
            return Self.version(of: data)
        }
    }

    public func replace(_ key: StoreKey, _ data: Data, ifMatch version: Version) async throws(StoreError) -> Version {
        let target = path(key)
        return try FileSystem.withLock(lockPath(key), directory: directory(of: target)) { () throws(StoreError) in
            guard let current = try FileSystem.readFile(target) else { throw .conflict("\(key) does not exist") }
            guard Self.version(of: current) == version else { throw .conflict("\(key) changed since \(version)") }
            try FileSystem.writeAtomically(data, to: target)
            return Self.version(of: data)
        }
    }

    public func put(_ key: StoreKey, _ data: Data) async throws(StoreError) {
        if data.isEmpty { return try FileSystem.touch(path(key)) }
        try FileSystem.writeAtomically(data, to: path(key))
    }

    public func delete(_ key: StoreKey) async throws(StoreError) {
        let target = path(key)
        guard unlink(target) == 0 || errno == ENOENT else { throw FileSystem.failure("unlink", target) }
        if key.timerParts != nil { _ = rmdir(directory(of: directory(of: target))) }
        _ = rmdir(directory(of: target))
    }

    public func delete(_ key: StoreKey, ifMatch version: Version) async throws(StoreError) {
        let target = path(key)
        try FileSystem.withLock(lockPath(key), directory: directory(of: target)) { () throws(StoreError) in
            guard let current = try FileSystem.readFile(target) else { throw .conflict("\(key) does not exist") }
            guard Self.version(of: current) == version else { throw .conflict("\(key) changed since \(version)") }
            guard unlink(target) == 0 || errno == ENOENT else { throw FileSystem.failure("unlink", target) }
        }
    }

    public func list(prefix: String, startAfter: String?, limit: Int) async throws(StoreError) -> [StoreKey] {
        let folder = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        let start = folder.isEmpty ? root : "\(root)/\(folder)"
        var keys: [String] = []
        try FileSystem.walk(start, relativeTo: folder) { key in
            if key.hasPrefix(prefix) && (startAfter.map { key > $0 } ?? true) { keys.append(key) }
        }
        return keys.sorted().prefix(limit).compactMap(StoreKey.init)
    }

    static func version(of data: Data) -> Version { Version(String(SHA256.hex(data).prefix(32))) }

    private func path(_ key: StoreKey) -> String { "\(root)/\(key.rawValue)" }

    private func lockPath(_ key: StoreKey) -> String {
        let target = path(key)
        let name = target[target.index(after: target.lastIndex(of: "/")!)...]
        return "\(directory(of: target))/.\(name).lock"
    }

    private func directory(of path: String) -> String { String(path[..<path.lastIndex(of: "/")!]) }
}
