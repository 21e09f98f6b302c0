import Engine
import Foundation
import FunctionRuntime
import Hashing
import Orchestration
import Simulators
import Testing
import Workflow

/// Many customers at once: each tenant's CI runs held to its quota over all its workflows, each
/// repository's dispatches paced, and one tenant's backlog never holding another back.
struct TenantQuotaTests {
    static let appSecret = "app-webhook-secret"

    /// The fixture's `pull_request.opened` for PR `number` at its own head commit, from `installation`.
    static func opened(_ number: Int, installation: Int = 42) throws -> Data {
        var payload = try #require(
            try JSONSerialization.jsonObject(with: fixture("github/pull_request.opened.json")) as? [String: Any])
        var pr = try #require(payload["pull_request"] as? [String: Any])
        var head = try #require(pr["head"] as? [String: Any])
        head["sha"] = String(format: "%040x", 0xabc000 + number)
        pr["head"] = head
        pr["number"] = number
        payload["pull_request"] = pr
        payload["number"] = number
        payload["installation"] = ["id": installation]
        return try JSONSerialization.data(withJSONObject: payload)
    }

    static func acme(limit: Int, pace: DispatchPace = DispatchPace()) -> Tenant {
        var tenant = Harness.acme(
            settings: Settings(maxMutants: 6, maxConcurrentJobs: limit, jobTimeoutSeconds: 600, retryBaseSeconds: 0))
        tenant.dispatchPace = pace
        return tenant
    }

    static func globex(limit: Int) -> Tenant {
        var tenant = CIRoundTripTests.globexOnApp()
        tenant.settings = Settings(maxMutants: 6, maxConcurrentJobs: limit, jobTimeoutSeconds: 600, retryBaseSeconds: 0)
        return tenant
    }

    /// Opens PRs `numbers` for acme (its own route and token) or globex (the App's route).
    static func open(_ numbers: some Sequence<Int>, globex: Bool = false, _ harness: Harness) async throws -> [String] {
        var workflows: [String] = []
        for number in numbers {
            let reply =
                globex
                ? try await harness.deliver(
                    opened(number, installation: 43), event: "pull_request", path: "/webhooks/github", secret: appSecret
                )
                : try await harness.deliver(opened(number), event: "pull_request")
            #expect(reply.status == 202, "\(reply.body)")
            workflows.append(try #require(reply.body["workflow"] as? String))
        }
        return workflows
    }

    @Test
    func `two tenants, GitHub Actions on a token and Buildkite on the App, measure side by side within their quotas`()
        async throws
    {
        try await Harness.run(
            // Runs long enough to overlap even on a loaded machine: the test asserts the quota is
            // reached, not only kept.
            tenants: [Self.acme(limit: 2), Self.globex(limit: 3)], jobDuration: .milliseconds(400),
            configure: {
                $0.app = (77, CIRoundTripTests.appKey.publicKey, 43)
                $0.pullNumber = 0
            },
            app: CIRoundTripTests.app, appWebhookSecret: Secret(Self.appSecret)
        ) { harness in
            async let acmeRuns = Self.open(1...3, harness)
            async let globexRuns = Self.open(11...13, globex: true, harness)
            let (acme, globex) = try await (acmeRuns, globexRuns)
            for workflow in acme {
                #expect(try await harness.ticked(workflow).state.status == .completed)
            }
            for workflow in globex {
                #expect(
                    try await harness.ticked(workflow, tenant: "globex").state.status
                        == .completed)
            }
            let actions = harness.simulator.state
            let builds = harness.buildkite.state
            #expect(await actions.maxInFlight == 2)
            #expect(await builds.maxInFlight == 3)
            #expect(await actions.inFlight == 0)
            #expect(await builds.inFlight == 0)
            let runCounts = await actions.dispatchCounts()
            let buildCounts = await builds.dispatchCounts()
            #expect(runCounts.count == 3 * 8 && runCounts.values.allSatisfy { $0 == 1 })
            #expect(buildCounts.count == 3 * 8 && buildCounts.values.allSatisfy { $0 == 1 })
            #expect(runCounts.keys.allSatisfy { $0.hasPrefix("acme/") })
            #expect(buildCounts.keys.allSatisfy { $0.hasPrefix("globex/") })
            #expect(await actions.checkRuns.filter { $0.status == "completed" }.count == 6)
            let held = try await harness.engine.store.listAll(prefix: StoreKey.slotsPrefix(tenant: "acme"))
            #expect(held.isEmpty, "slots still held: \(held)")
        }
    }

    @Test func `a tenant with a backlog of PRs does not delay another tenant's first dispatch`() async throws {
        try await Harness.run(
            tenants: [Self.acme(limit: 2), Self.globex(limit: 2)], jobDuration: .milliseconds(150),
            configure: {
                $0.app = (77, CIRoundTripTests.appKey.publicKey, 43)
                $0.pullNumber = 0
            },
            app: CIRoundTripTests.app, appWebhookSecret: Secret(Self.appSecret)
        ) { harness in
            let backlog = try await Self.open(1...30, harness)
            let started = ContinuousClock.now
            let globex = try #require(try await Self.open([99], globex: true, harness).first)
            while await harness.buildkite.state.runs.isEmpty, ContinuousClock.now - started < .seconds(10) {
                try await Task.sleep(for: .milliseconds(20))
            }
            var unfinished = 0
            for workflow in backlog
            where try await harness.engine.load(tenant: "acme", id: workflow)?.0.state.outcome == nil {
                unfinished += 1
            }
            #expect(await harness.buildkite.state.runs.count >= 1, "globex's baseline was never dispatched")
            #expect(unfinished >= 25, "globex's first dispatch waited for acme's backlog")
            #expect(
                try await harness.ticked(globex, tenant: "globex").state.status == .completed)
            #expect(await harness.simulator.state.maxInFlight <= 2)
        }
    }

    @Test func `a repository's dispatches are paced through the timer, never more than the pace allows`() async throws {
        let pace = DispatchPace(count: 3, seconds: 3)
        try await Harness.run(tenants: [Self.acme(limit: 8, pace: pace)], jobDuration: .milliseconds(20)) { harness in
            let workflow = try #require(try await Self.open([42], harness).first)
            let document = try await harness.ticked(workflow)
            #expect(document.state.status == .completed)
            let times = await harness.simulator.state.createdAt
            #expect(times.count == 8)
            // The pace holds when slots are granted; the CI sees each dispatch a little later, so
            // windows are checked a second short of the pace's to leave room for that delay.
            for (index, time) in times.enumerated() {
                let inWindow = times[index...].prefix { $0.timeIntervalSince(time) < Double(pace.seconds) - 1 }
                #expect(inWindow.count <= pace.count, "\(inWindow.count) dispatches within \(pace.seconds - 1) s")
            }
            #expect(document.history.contains { $0.event.contains("dispatch pace") })
        }
    }
}
