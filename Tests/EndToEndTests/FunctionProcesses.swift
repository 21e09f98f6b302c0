import Foundation
import FoundationNetworking
import Simulators
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The functions as separate processes, built by `swift build`, each on a free loopback port it
/// reports in its first JSON log line, all sharing one file store.
final class FunctionProcesses: @unchecked Sendable {
    // Guarded by being touched only by the test that owns it, one call at a time.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let folder: URL
    var running: [String: (process: Process, port: Int, log: URL)] = [:]
    /// The environment each label was last started with, to start it again the same way.
    var environments: [String: [String: String]] = [:]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-procs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Runs `executable` to its end and gives its exit status and what it wrote (stdout and stderr
    /// together). A tool found on PATH is `URL(fileURLWithPath: "/usr/bin/env")` with its name first.
    static func captured(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, in directory: URL? = nil
    ) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    static func binary(_ name: String) throws -> URL {
        let url = root.appendingPathComponent(".build/debug/\(name)")
        try #require(
            FileManager.default.isExecutableFile(atPath: url.path), "\(url.path) is not built: run swift build first")
        return url
    }

    /// Starts `name` (a function's executable) with `environment` on `port` (0: any free one),
    /// waits for its port. A label started again gets a fresh log; the old one is kept as `.N.log`.
    @discardableResult
    func start(_ name: String, as label: String? = nil, port: Int = 0, environment: [String: String]) async throws
        -> Int
    {
        let label = label ?? name
        environments[label] = environment
        let process = Process()
        process.executableURL = try Self.binary(name)
        let log = folder.appendingPathComponent("\(label).log")
        if FileManager.default.fileExists(atPath: log.path) {
            let kept =
                (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter {
                    $0.hasPrefix("\(label).")
                }.count ?? 0
            try FileManager.default.moveItem(at: log, to: folder.appendingPathComponent("\(label).\(kept).log"))
        }
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.environment = environment.merging(["PORT": "\(port)", "HOST": "127.0.0.1", "LOG_FORMAT": "json"]) { $1 }
        try process.run()
        let port = try await Self.waitForPort(log, process: process)
        running[label] = (process, port, log)
        return port
    }

    static func waitForPort(_ log: URL, process: Process) async throws -> Int {
        let port = try await poll(timeout: .seconds(15)) { () -> Int? in
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.contains("\"message\":\"Serving\"") {
                if let range = line.range(of: #""port":"(\d+)""#, options: .regularExpression) {
                    return Int(line[range].filter(\.isNumber))
                }
            }
            return process.isRunning ? nil : -1
        }
        if let port, port > 0 { return port }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        Issue.record("\(log.lastPathComponent) did not start: \(text.prefix(1500)) … \(text.suffix(300))")
        throw CancellationError()
    }

    func log(_ label: String) -> String {
        running[label].flatMap { try? String(contentsOf: $0.log, encoding: .utf8) } ?? ""
    }

    /// Sends SIGTERM and waits; returns the exit status.
    @discardableResult
    func stop(_ label: String) async -> Int32 {
        guard let entry = running.removeValue(forKey: label) else { return -1 }
        kill(entry.process.processIdentifier, SIGTERM)
        for _ in 0..<200 where entry.process.isRunning { try? await Task.sleep(for: .milliseconds(25)) }
        if entry.process.isRunning { kill(entry.process.processIdentifier, SIGKILL) }
        for _ in 0..<200 where entry.process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        return entry.process.terminationStatus
    }

    /// Every log `label` ever wrote, across restarts.
    func allLogs(_ label: String) -> String {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter {
                $0.hasPrefix("\(label).") && $0.hasSuffix(".log")
            } ?? []
        return names.compactMap { try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }.joined(
            separator: "\n")
    }

    /// Kills with SIGKILL, as a crash or an OOM kill would, and waits for the process to be gone.
    func crash(_ label: String) async {
        guard let entry = running[label] else { return }
        kill(entry.process.processIdentifier, SIGKILL)
        for _ in 0..<400 where entry.process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
    }

    func isRunning(_ label: String) -> Bool { running[label]?.process.isRunning ?? false }

    func stopAll() async {
        for label in running.keys { await stop(label) }
    }
}

/// Real nginx with the shipped gateway config, pointed at the function processes.
struct Gateway {
    let port: Int
    let process: Process
    let folder: URL

    static func nginxPath() throws -> String {
        let path = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        return try #require(path, "nginx is not installed: make test installs it")
    }

    /// The shipped config with its listen port, log and temporary folders moved into `folder`.
    static func start(upstreams: [String: Int], in folder: URL) async throws -> Gateway {
        try await start(upstreams: upstreams.mapValues { [$0] }, in: folder)
    }

    /// Several servers per upstream: nginx sends each request to one and moves on to the next when
    /// a connection is refused (a killed process), marking the dead one failed for a second.
    static func start(upstreams: [String: [Int]], in folder: URL) async throws -> Gateway {
        let shipped = FunctionProcesses.root.appendingPathComponent("infra/gateway")
        var config = try String(contentsOf: shipped.appendingPathComponent("nginx.conf"), encoding: .utf8)
        let port = try SeaweedServer.freePort()
        config = config.replacingOccurrences(of: "listen 8080;", with: "listen 127.0.0.1:\(port);")
        config = config.replacingOccurrences(
            of: "access_log /dev/stdout tinybug_json;",
            with: """
                access_log \(folder.path)/access.log tinybug_json;
                    client_body_temp_path \(folder.path)/body;
                    proxy_temp_path \(folder.path)/proxy;
                """)
        try config.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let upstreamConfig = upstreams.map { name, ports in
            "upstream \(name) {\n" + ports.map { "    server 127.0.0.1:\($0) max_fails=1 fail_timeout=1s;\n" }.joined()
                + "    keepalive 4;\n}\n"
        }.joined()
        try upstreamConfig.write(to: folder.appendingPathComponent("upstreams.conf"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try nginxPath())
        process.arguments = [
            "-p", folder.path, "-c", folder.appendingPathComponent("nginx.conf").path,
            "-g", "daemon off; pid \(folder.path)/nginx.pid; error_log \(folder.path)/error.log; user root;",
        ]
        try process.run()
        let healthy = try await poll(every: .milliseconds(25), timeout: .seconds(5)) { () async -> Bool? in
            (try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)) != nil
                ? true : nil
        }
        if healthy != nil { return Gateway(port: port, process: process, folder: folder) }
        Issue.record(
            "nginx did not start: \((try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? "")"
        )
        throw CancellationError()
    }

    var accessLog: String {
        (try? String(contentsOf: folder.appendingPathComponent("access.log"), encoding: .utf8)) ?? ""
    }

    func stop() async {
        kill(process.processIdentifier, SIGQUIT)
        for _ in 0..<400 where process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }
}
