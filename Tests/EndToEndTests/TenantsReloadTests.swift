import Engine
import Foundation
import FunctionRuntime
import Hashing
import Ingress
import Logging
import Orchestration
import Testing
import Workflow

/// The tenants file is re-read when it changes, without a restart; a broken file keeps the last good one.
struct TenantsReloadTests {
    static func file(_ tenants: [String]) -> String {
        let entries = tenants.map {
            #"{"id":"\#($0)","github":{"webhookSecret":"env:SECRET","token":"env:TOKEN"},"apiToken":"env:TOKEN"}"#
        }
        return #"{"tenants":[\#(entries.joined(separator: ","))]}"#
    }

    static func write(_ text: String, to path: URL, shiftedBy seconds: TimeInterval) throws {
        try text.write(to: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(seconds)], ofItemAtPath: path.path)
    }

    func ping(_ orchestrator: Orchestrator, tenant: String) async -> Int {
        let body = Data("{}".utf8)
        let headers = WebhookHeaders(
            event: "ping", delivery: "d", signature256: Signature.gitHubHeader(body: body, secret: Secret("s")))
        do {
            return try await orchestrator.gitHubWebhook(tenantID: tenant, headers: headers, body: body, filter: .all)
                .status
        } catch {
            return error.statusCode
        }
    }

    @Test func `a changed tenants file takes effect without a restart, and a broken one keeps the last good`()
        async throws
    {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tinybug-tenants-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("tenants.json")
        try Self.write(Self.file(["acme"]), to: path, shiftedBy: -60)
        let config = try FunctionConfig(environment: [
            "TINYBUG_TENANTS": path.path, "TINYBUG_STORE": "file://\(folder.path)/store", "SECRET": "s", "TOKEN": "t",
        ])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let orchestrator = try FunctionApp.orchestrator(config: config, logger: logger)
        #expect(await ping(orchestrator, tenant: "acme") == 200)
        #expect(await ping(orchestrator, tenant: "globex") == 404)

        try Self.write(Self.file(["acme", "globex"]), to: path, shiftedBy: -30)
        #expect(await ping(orchestrator, tenant: "globex") == 200)

        try Self.write("{ this is not json", to: path, shiftedBy: -10)
        #expect(await ping(orchestrator, tenant: "globex") == 200)
        #expect(await ping(orchestrator, tenant: "acme") == 200)

        try Self.write(Self.file(["globex"]), to: path, shiftedBy: 0)
        orchestrator.tenantsSource.reload(because: "SIGHUP")
        #expect(await ping(orchestrator, tenant: "acme") == 404)
    }

    @Test func `a tick serves tenants round-robin, so one tenant's backlog does not hold another back`() throws {
        var keys: [StoreKey] = []
        for index in 0..<100 { keys.append(try #require(StoreKey("timers/202601010000/busy/w\(index)"))) }
        keys.append(try #require(StoreKey("timers/202601010000/quiet/w0")))
        let order = Engine<Run>.tickOrder(keys)
        #expect(order.prefix(2).compactMap { $0.timerParts?.tenant } == ["busy", "quiet"])
        #expect(order.count == keys.count)
    }
}
