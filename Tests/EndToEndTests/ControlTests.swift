import Engine
import Foundation
import FoundationNetworking
import FunctionRuntime
import Hashing
import Orchestration
import Simulators
import Testing
import Workflow

/// The control API of CONTRACT.md: list, show, pause, resume, cancel, per workflow and per tenant.
struct ControlTests {
    func get(_ harness: Harness, _ path: String, token: String = Harness.apiToken) async throws -> (Int, Any?) {
        var request = URLRequest(url: URL(string: harness.base + path)!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONSerialization.jsonObject(with: data))
    }

    func post(_ harness: Harness, _ path: String, token: String = Harness.apiToken) async throws -> Int {
        try await harness.request("POST", path, headers: ["Authorization": "Bearer \(token)"]).status
    }

    static var globex: Tenant {
        var tenant = BuildkiteIngressTests.globex()
        tenant.apiToken = Secret("globex-api-token")
        return tenant
    }

    @Test func `a tenant's token lists and shows its workflows, history included`() async throws {
        try await Harness.run(tenants: [Harness.acme(), Self.globex]) { harness in
            let opened = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(opened.body["workflow"] as? String)
            _ = try await harness.finished(workflow)
            let (status, list) = try await get(harness, "/api/v1/tenants/acme/workflows")
            #expect(status == 200)
            let rows = try #require(list as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(rows.first?["id"] as? String == workflow)
            #expect(rows.first?["status"] as? String == "completed")
            #expect(rows.first?["score"] as? Int != nil)
            let (shown, document) = try await get(harness, "/api/v1/tenants/acme/workflows/\(workflow)")
            #expect(shown == 200)
            let object = try #require(document as? [String: Any])
            #expect((object["history"] as? [Any])?.isEmpty == false)
            #expect(object["schemaVersion"] as? Int == 1)
        }
    }

    @Test func `tokens reach only their own tenant, and the admin token reaches every tenant`() async throws {
        try await Harness.run(tenants: [Harness.acme(), Self.globex]) { (harness: Harness) async throws in
            let otherTenant = try await get(harness, "/api/v1/tenants/globex/workflows").0
            let otherToken = try await get(harness, "/api/v1/tenants/acme/workflows", token: "globex-api-token").0
            let steerOther = try await post(harness, "/api/v1/tenants/globex/pause")
            let wrong = try await get(harness, "/api/v1/tenants/acme/workflows", token: "wrong").0
            let none = try await harness.request("GET", "/api/v1/tenants/acme/workflows").status
            #expect([otherTenant, otherToken, steerOther, wrong, none] == [Int](repeating: 401, count: 5))
            let admin = try await get(harness, "/api/v1/tenants/globex/workflows", token: Harness.adminToken).0
            let unknown = try await get(harness, "/api/v1/tenants/nobody/workflows", token: Harness.adminToken).0
            let missing = try await get(harness, "/api/v1/tenants/acme/workflows/nope", token: Harness.adminToken).0
            #expect([admin, unknown, missing] == [Int]([200, 404, 404]))
            let paused = try await harness.engine.store.read(StoreKey.tenantState("globex"))
            #expect(paused?.data == nil)
        }
    }

    @Test(arguments: ["..%2F..%2Fetc", "Upper", "a%20b", ".hidden"])
    func `ids that try to escape their folder are 400`(id: String) async throws {
        try await Harness.run { harness in
            let (status, _) = try await get(harness, "/api/v1/tenants/acme/workflows/\(id)")
            #expect(status == 400)
        }
    }

    @Test func `pause holds new dispatches, resume carries on, cancel cancels the runs in flight`() async throws {
        try await Harness.run(jobDuration: .seconds(2)) { harness in
            let opened = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(opened.body["workflow"] as? String)
            #expect(try await post(harness, "/api/v1/tenants/acme/workflows/\(workflow)/pause") == 200)
            let paused = try await Self.until(harness, workflow) { $0.baseline.status == .passed }
            #expect(paused.status == .paused)
            #expect(paused.mutants.allSatisfy { $0.status == .pending })
            #expect(await harness.simulator.state.runs.count == 2)
            #expect(try await post(harness, "/api/v1/tenants/acme/workflows/\(workflow)/resume") == 200)
            let resumed = try await Self.until(harness, workflow) { $0.mutants.contains { $0.status == .running } }
            #expect(resumed.status == .running)
            #expect(try await post(harness, "/api/v1/tenants/acme/workflows/\(workflow)/cancel") == 200)
            let cancelled = try await harness.finished(workflow)
            #expect(cancelled.state.status == .cancelled)
            // Each run in flight was asked to stop (one that ended meanwhile, on a loaded machine,
            // answers 409 and counts as stopped).
            let inFlight = resumed.mutants.filter(\.status.isInFlight).count
            let stops = await harness.simulator.state.requests.filter {
                $0.hasPrefix("POST") && $0.hasSuffix("/cancel")
            }
            #expect(stops.count >= inFlight && inFlight > 0)
        }
    }

    /// The workflow's state once `condition` holds (waiting up to ten seconds).
    static func until(_ harness: Harness, _ workflow: String, _ condition: (Run) -> Bool) async throws -> Run {
        let reached = try await poll(timeout: .seconds(60)) { () async throws -> Run? in
            guard let (document, _) = try await harness.engine.load(tenant: "acme", id: workflow),
                condition(document.state)
            else { return nil }
            return document.state
        }
        if let reached { return reached }
        Issue.record("the workflow never reached the expected state")
        throw CancellationError()
    }

    @Test func `pausing a tenant pauses its workflows and starts new ones paused`() async throws {
        try await Harness.run { harness in
            #expect(try await post(harness, "/api/v1/tenants/acme/pause") == 200)
            let opened = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(opened.body["workflow"] as? String)
            let started = try #require(try await harness.engine.load(tenant: "acme", id: workflow)?.0.state)
            #expect(started.status == .paused)
            #expect(await harness.simulator.state.runs.isEmpty)
            #expect(try await post(harness, "/api/v1/tenants/acme/resume") == 200)
            let done = try await harness.finished(workflow)
            #expect(done.state.status == .completed)
        }
    }

    @Test func `metrics count events, handler latency, effects and store operations`() async throws {
        try await Harness.run { harness in
            let opened = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            _ = try await harness.finished(try #require(opened.body["workflow"] as? String))
            _ = try await harness.deliver(Data("{}".utf8), event: "pull_request", secret: "wrong")
            var request = URLRequest(url: URL(string: harness.base + "/metrics")!)
            request.timeoutInterval = 10
            let (data, _) = try await URLSession.shared.data(for: request)
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.contains(#"tinybug_events_total{type="github.pull_request",status="202"} 1"#))
            #expect(text.contains(#"tinybug_events_total{type="github.pull_request",status="401"} 1"#))
            #expect(text.contains(#"tinybug_events_total{type="github.workflow_run",status="202"}"#))
            #expect(text.contains("tinybug_handler_duration_seconds_bucket"))
            #expect(text.contains(#"tinybug_effects_total{kind="dispatch",outcome="done"} 10"#))
        }
    }
}
