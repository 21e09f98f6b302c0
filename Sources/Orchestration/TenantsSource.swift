import Foundation
import Logging
import Synchronization

// `struct stat` is seen through CoreFoundation's headers too once zlib's module is in the build.
#if canImport(CoreFoundation)
import CoreFoundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The tenants in force, re-read from the tenants file when it changes (its mtime) or on SIGHUP,
/// without a restart. A file that does not load keeps the last good tenants and says why in the log.
public final class TenantsSource: Sendable {
    private struct State {
        var tenants: Tenants
        var modified: timespec?
    }

    private let state: Mutex<State>
    private let path: String?
    private let environment: [String: String]
    private let logger: Logger

    /// Tenants that never change (tests, the demo).
    public init(_ tenants: Tenants) {
        state = Mutex(State(tenants: tenants, modified: nil))
        path = nil
        environment = [:]
        logger = Logger(label: "tinybug.tenants")
    }

    /// The tenants of the file at `path`; the first load must succeed.
    public init(path: String, environment: [String: String], logger: Logger) throws {
        let tenants = try Tenants.load(path: path, environment: environment, logger: logger)
        state = Mutex(State(tenants: tenants, modified: Self.modified(path)))
        self.path = path
        self.environment = environment
        self.logger = logger
    }

    /// The tenants in force, after re-reading the file if it changed since the last read.
    public var current: Tenants {
        if let path, let modified = Self.modified(path), state.withLock({ !Self.same($0.modified, modified) }) {
            reload(because: "the tenants file changed")
        }
        return state.withLock { $0.tenants }
    }

    /// Reads the file again now (SIGHUP); keeps the last good tenants when it does not load.
    public func reload(because reason: String) {
        guard let path else { return }
        let modified = Self.modified(path)
        do {
            let tenants = try Tenants.load(path: path, environment: environment, logger: logger)
            state.withLock { $0 = State(tenants: tenants, modified: modified) }
            logger.notice(
                "Reloaded the tenants file", metadata: ["reason": "\(reason)", "tenants.count": "\(tenants.all.count)"])
        } catch {
            state.withLock { $0.modified = modified }
            logger.error(
                "Kept the last good tenants: the tenants file does not load",
                metadata: ["reason": "\(reason)", "error": "\(error)"])
        }
    }

    static func modified(_ path: String) -> timespec? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mtim
    }

    static func same(_ lhs: timespec?, _ rhs: timespec) -> Bool {
        guard let lhs else { return false }
        return lhs.tv_sec == rhs.tv_sec && lhs.tv_nsec == rhs.tv_nsec
    }
}
