import Engine
import Foundation
import Ingress
import Simulators
import Testing
import Workflow

/// A document beside the workflows that does not decode is an error: the request that needs it
/// fails cleanly (503, nothing dispatched) and the file keeps its bytes, for a person to look at.
struct CorruptDocumentTests {
    static let garbage = Data(#"{"workflows": 7, "paused": "#.utf8)

    /// Writes `garbage` where the store keeps `key`.
    static func corrupt(_ harness: Harness, _ key: StoreKey) throws -> String {
        let path = "\(harness.storeRoot)/\(key.rawValue)"
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try garbage.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func key(_ kind: String, pr: PullRequest) throws -> StoreKey {
        switch kind {
        case "pr-index":
            try StoreKey.pullRequestIndex(tenant: "acme", pr: String(Identifier.prPrefix(for: pr).dropLast(2)))
        default: try StoreKey.tenantState("acme")
        }
    }

    @Test(arguments: ["pr-index", "tenant-state"])
    func `a pull request needing a corrupt document is 503 and the file is left as it was`(kind: String) async throws {
        try await Harness.run { harness in
            let body = try fixture("github/pull_request.opened.json")
            guard case .pullRequest(_, let pr, _, _) = try GitHubWebhook.decode(event: "pull_request", body: body)
            else {
                Issue.record("the fixture is not a pull request")
                return
            }
            let path = try Self.corrupt(harness, try Self.key(kind, pr: pr))
            let reply = try await harness.deliver(body, event: "pull_request")
            #expect(reply.status == 503)
            #expect((reply.body["error"] as? String)?.contains(harness.storeRoot) == false)
            #expect(FileManager.default.contents(atPath: path) == Self.garbage)
            #expect(try await harness.engine.store.listAll(prefix: StoreKey.workflowsPrefix(tenant: "acme")).isEmpty)
            #expect(await harness.simulator.state.runs.isEmpty)
        }
    }

    @Test func `pausing a tenant whose state is corrupt is 503 and the file is left as it was`() async throws {
        try await Harness.run { harness in
            let path = try Self.corrupt(harness, try StoreKey.tenantState("acme"))
            let status = try await ControlTests().post(harness, "/api/v1/tenants/acme/pause")
            #expect(status == 503)
            #expect(FileManager.default.contents(atPath: path) == Self.garbage)
        }
    }

    @Test func `corrupt tenant slots hold every dispatch and are never written over`() async throws {
        try await Harness.run { harness in
            let path = try Self.corrupt(harness, try StoreKey.tenantSlots("acme"))
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            #expect(reply.status == 202)
            let workflow = try #require(reply.body["workflow"] as? String)
            let document = try #require(try await harness.engine.load(tenant: "acme", id: workflow)).0
            #expect(document.outbox.contains { if case .dispatch = $0.effect { true } else { false } })
            #expect(FileManager.default.contents(atPath: path) == Self.garbage)
            #expect(await harness.simulator.state.runs.isEmpty)
        }
    }
}
