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

/// The POSIX calls `FileStore` needs, each mapping failure to `StoreError.unavailable`.
enum FileSystem {
    static func failure(_ call: String, _ path: String) -> StoreError {
        .unavailable("\(call) \(path): \(String(cString: strerror(errno)))")
    }

    static func exists(_ path: String) throws(StoreError) -> Bool {
        var info = stat()
        if stat(path, &info) == 0 { return true }
        if errno == ENOENT || errno == ENOTDIR { return false }
        throw failure("stat", path)
    }

    static func makeDirectories(_ path: String) throws(StoreError) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/"), slash > path.startIndex else {
            throw failure("mkdir", path)
        }
        try makeDirectories(String(path[..<slash]))
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw failure("mkdir", path) }
    }

    /// The file's bytes, or nil when it does not exist.
    static func readFile(_ path: String) throws(StoreError) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure("open", path)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if count == 0 { return Data(bytes) }
            bytes += chunk[0..<count]
        }
    }

    /// An empty file (a timer marker): created in place, since there is nothing to tear, and the
    /// folder fsynced only when it is new. A marker that exists is left as it is.
    static func touch(_ path: String) throws(StoreError) {
        let folder = String(path[..<path.lastIndex(of: "/")!])
        var fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT {
            try makeDirectories(folder)
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        if fd < 0 && errno == EEXIST { return }
        guard fd >= 0 else { throw failure("open", path) }
        close(fd)
        try syncDirectory(folder)
    }

    /// Temp file, write, fsync, rename, fsync of the folder.
    static func writeAtomically(_ data: Data, to path: String) throws(StoreError) {
        let folder = String(path[..<path.lastIndex(of: "/")!])
        let temp = "\(folder)/.tmp-\(UInt64.random(in: 0...UInt64.max))"
        var fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT {
            try makeDirectories(folder)
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw failure("open", temp) }
        do throws(StoreError) {
            if Faults.isArmed(.midFileWrite) {
                try writeAll(fd, data.prefix(data.count / 2), path: temp)
                Faults.hit(.midFileWrite)
                try writeAll(fd, data.dropFirst(data.count / 2), path: temp)
            } else {
                try writeAll(fd, data, path: temp)
            }
            guard fsync(fd) == 0 else { throw failure("fsync", temp) }
            close(fd)
            fd = -1
            guard rename(temp, path) == 0 else { throw failure("rename", path) }
            try syncDirectory(folder)
        } catch {
            if fd >= 0 { close(fd) }
            unlink(temp)
            throw error
        }
    }

    private static func writeAll(_ fd: Int32, _ data: Data, path: String) throws(StoreError) {
        var offset = 0
        let result: StoreError? = data.withUnsafeBytes { buffer -> StoreError? in
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return failure("write", path)
                }
                offset += written
            }
            return nil
        }
        if let result { throw result }
    }

    static func syncDirectory(_ folder: String) throws(StoreError) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", folder) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("fsync", folder) }
    }

    /// Runs `body` holding an exclusive advisory lock on `lockPath`.
    static func withLock<T>(
        _ lockPath: String, directory: String, _ body: () throws(StoreError) -> T
    ) throws(StoreError) -> T {
        var fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT {
            try makeDirectories(directory)
            fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw failure("open", lockPath) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure("flock", lockPath) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Calls `visit` with the key of every regular file below `folder`, skipping dot files.
    static func walk(_ folder: String, relativeTo prefix: String, _ visit: (String) -> Void) throws(StoreError) {
        guard let dir = opendir(folder) else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw failure("opendir", folder)
        }
        var children: [(String, Bool)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.hasPrefix(".") { continue }
            children.append((name, entry.pointee.d_type == DT_DIR))
        }
        closedir(dir)
        for (name, isDirectory) in children {
            let key = prefix.isEmpty ? name : "\(prefix)/\(name)"
            if isDirectory {
                try walk("\(folder)/\(name)", relativeTo: key, visit)
            } else {
                visit(key)
            }
        }
    }
}
