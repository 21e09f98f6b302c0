import Engine
import Foundation
import FunctionRuntime
import Hashing
import Logging
import Orchestration
import Simulators
import Testing
import Workflow

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The probe's findings that need a real server: stale pushes, duplicates, slow senders.
struct HardeningEndToEndTests {
    /// The PR fixture as push `sha`, sent at `updatedAt`.
    static func push(_ name: String, sha: String? = nil, updatedAt: String? = nil) throws -> Data {
        var object = try #require(
            try JSONSerialization.jsonObject(with: fixture("github/\(name).json")) as? [String: Any])
        var pr = try #require(object["pull_request"] as? [String: Any])
        if let updatedAt { pr["updated_at"] = updatedAt }
        if let sha, var head = pr["head"] as? [String: Any] {
            head["sha"] = sha
            pr["head"] = head
        }
        object["pull_request"] = pr
        return try JSONSerialization.data(withJSONObject: object)
    }

    static func unfinished(_ harness: Harness) async throws -> [Document<Run>] {
        var documents: [Document<Run>] = []
        for key in try await harness.engine.store.listAll(prefix: StoreKey.workflowsPrefix(tenant: "acme")) {
            if let id = key.workflowID, let (document, _) = try await harness.engine.load(tenant: "acme", id: id),
                document.state.outcome == nil
            {
                documents.append(document)
            }
        }
        return documents
    }

    @Test func `an older push sent again after a newer one leaves the newer measurement untouched`() async throws {
        try await Harness.run(jobDuration: .seconds(20)) { harness in
            let newer = try await harness.deliver(
                Self.push("pull_request.synchronize", updatedAt: "2026-11-25T08:05:00Z"), event: "pull_request")
            #expect(newer.status == 202)
            let before = harness.snapshot()
            // The captured body of the older push, with a fresh (unsigned) delivery id.
            let older = try await harness.deliver(
                Self.push("pull_request.opened", updatedAt: "2026-11-25T07:59:41Z"), event: "pull_request")
            #expect(older.status == 200)
            #expect(older.body["workflow"] as? String == newer.body["workflow"] as? String)
            #expect(harness.snapshot() == before)
            let measured = try #require(newer.body["workflow"] as? String)
            #expect(try await Self.unfinished(harness).map(\.id) == [measured])
        }
    }

    @Test func `when updated_at cannot tell, the head GitHub has now decides`() async throws {
        try await Harness.run(jobDuration: .seconds(20)) { harness in
            let newer = try await harness.deliver(Self.push("pull_request.synchronize"), event: "pull_request")
            #expect(newer.status == 202)
            let workflow = try #require(newer.body["workflow"] as? String)
            let current = try #require(try await harness.engine.load(tenant: "acme", id: workflow)).0.state.pullRequest
                .headSHA
            await harness.simulator.state.setPullHead(current)
            let before = harness.snapshot()
            let older = try await harness.deliver(Self.push("pull_request.opened"), event: "pull_request")
            #expect(older.status == 200)
            #expect(harness.snapshot() == before)
        }
    }

    @Test func `a newer push still supersedes the older measurement`() async throws {
        try await Harness.run(jobDuration: .seconds(20)) { harness in
            let older = try await harness.deliver(
                Self.push("pull_request.opened", updatedAt: "2026-11-25T07:59:41Z"), event: "pull_request")
            let newer = try await harness.deliver(
                Self.push("pull_request.synchronize", updatedAt: "2026-11-25T08:05:00Z"), event: "pull_request")
            #expect(newer.status == 202)
            let oldID = try #require(older.body["workflow"] as? String)
            let old = try #require(try await harness.engine.load(tenant: "acme", id: oldID))
            #expect(old.0.state.status == .superseded)
        }
    }

    @Test func `a close older than the measurement leaves it running`() async throws {
        try await Harness.run(jobDuration: .seconds(20)) { harness in
            let opened = try await harness.deliver(
                Self.push("pull_request.opened", updatedAt: "2026-11-25T08:05:00Z"), event: "pull_request")
            let workflow = try #require(opened.body["workflow"] as? String)
            let close = try await harness.deliver(
                Self.push("pull_request.closed", updatedAt: "2026-11-25T07:00:00Z"), event: "pull_request")
            #expect(close.status == 202)
            #expect((close.body["workflows"] as? [String] ?? []).isEmpty)
            let document = try #require(try await harness.engine.load(tenant: "acme", id: workflow)).0
            #expect(document.state.outcome == nil)
        }
    }

    @Test func `a duplicate delivery leaves the store byte-identical, a minute later too`() async throws {
        let clock = ManualClock()
        try await Harness.run(jobDuration: .seconds(20), clock: clock) { harness in
            let body = try fixture("github/pull_request.opened.json")
            let first = try await harness.deliver(body, event: "pull_request", delivery: "delivery-dup")
            #expect(first.status == 202)
            let before = harness.snapshot()
            clock.advance(seconds: 120)
            let again = try await harness.deliver(body, event: "pull_request", delivery: "delivery-dup")
            #expect(again.status == 200)
            #expect(harness.snapshot() == before)
        }
    }

    /// A TCP socket connected to `port` on 127.0.0.1 whose reads give up after `seconds`, or nil.
    static func connected(_ port: Int, timeout seconds: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// A socket to `port` that sends `text`, then waits for the server to close it.
    static func closedAfterSending(_ text: String, port: Int, waitUpTo seconds: Int) -> Bool {
        guard let fd = connected(port, timeout: seconds) else { return false }
        defer { close(fd) }
        _ = text.withCString { send(fd, $0, strlen($0), 0) }
        var byte: UInt8 = 0
        // 0: the server closed the connection; -1 with a timeout: it is still open.
        return recv(fd, &byte, 1, 0) == 0
    }

    /// Two requests on one connection with `pause` between them: both answered.
    static func keptAlive(port: Int, pause: Duration) -> Bool {
        guard let fd = connected(port, timeout: 5) else { return false }
        defer { close(fd) }
        // One whole answer, head and body: they may come in separate segments, and a body left
        // unread would be taken for the next answer.
        func roundTrip() -> Bool {
            let request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1024)
            while true {
                let text = String(decoding: received, as: UTF8.self)
                if let head = text.range(of: "\r\n\r\n") {
                    let length =
                        text[..<head.lowerBound].split(separator: "\r\n").compactMap { line -> Int? in
                            let parts = line.split(separator: ":", maxSplits: 1)
                            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                            return Int(parts[1].trimmingCharacters(in: .whitespaces))
                        }.first ?? 0
                    if text.utf8.count - text.utf8.distance(from: text.startIndex, to: head.upperBound) >= length {
                        return text.hasPrefix("HTTP/1.1 200")
                    }
                }
                let count = recv(fd, &buffer, buffer.count, 0)
                guard count > 0 else { return false }
                received += buffer.prefix(count)
            }
        }
        guard roundTrip() else { return false }
        let (seconds, attoseconds) = pause.components
        usleep(useconds_t(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        return roundTrip()
    }

    @Test func `headers or a body that do not arrive in time close the connection`() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-slow-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let orchestrator = try HardeningTests.orchestrator(
            [Tenant(id: "acme", githubWebhookSecret: Secret("s"), githubToken: Secret("t"))], root: root)
        var limits = ServerLimits()
        limits.headerTimeout = .milliseconds(500)
        limits.bodyTimeout = .milliseconds(800)
        limits.idleTimeout = .seconds(30)
        try await LoopbackServer.withRunning({
            FunctionApp.build(
                .all, orchestrator: orchestrator, host: "127.0.0.1", port: 0, logger: Harness.quietLogger,
                limits: limits,
                onServerRunning: $0)
        }) { port in
            let headers = "POST /webhooks/github/acme HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: ping\r\n"
            #expect(Self.closedAfterSending(headers, port: port, waitUpTo: 5))
            let body = headers + "Content-Length: 100\r\n\r\n{\"zen\":"
            #expect(Self.closedAfterSending(body, port: port, waitUpTo: 5))
            // A kept-alive connection waits for its next request longer than the header deadline.
            #expect(Self.keptAlive(port: port, pause: .milliseconds(1200)))
        }
    }
}
