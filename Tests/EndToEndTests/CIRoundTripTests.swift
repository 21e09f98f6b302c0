import Egress
import Engine
import Foundation
import FunctionRuntime
import Hashing
import Orchestration
import Simulators
import Testing
import Workflow

/// Whole measurements against GitHub and Buildkite as their REST APIs and webhooks behave.
struct CIRoundTripTests {
    static let appKey = RS256.generateKeyPair()!
    static let app = GitHubApp(appID: 77, privateKey: Secret(appKey.privateKey))

    /// Globex: CI on Buildkite, GitHub reached through the App's installation 43 (no token of its own).
    static func globexOnApp() -> Tenant {
        var tenant = BuildkiteIngressTests.globex()
        tenant.githubToken = nil
        tenant.installationID = 43
        tenant.settings = Settings(maxMutants: 6, maxConcurrentJobs: 2, jobTimeoutSeconds: 600, retryBaseSeconds: 0)
        return tenant
    }

    @Test func `a Buildkite tenant on the GitHub App completes a measurement with each build created once`()
        async throws
    {
        try await Harness.run(
            tenants: [Harness.acme(), Self.globexOnApp()], configure: { $0.app = (77, Self.appKey.publicKey, 43) },
            app: Self.app
        ) { harness in
            let reply = try await harness.deliver(
                fixture("github/pull_request.opened.json"), event: "pull_request", path: "/webhooks/github/globex",
                secret: "globex-github")
            #expect(reply.status == 202)
            let workflow = try #require(reply.body["workflow"] as? String)
            let document = try await harness.finished(workflow, tenant: "globex")
            #expect(document.state.status == .completed)
            let builds = await harness.buildkite.state.dispatchCounts()
            #expect(builds.count == 8)
            #expect(builds.values.allSatisfy { $0 == 1 })
            #expect(await harness.simulator.state.runs.isEmpty)
            let check = try #require(await harness.simulator.state.checkRuns.first)
            #expect(check.conclusion == document.state.report?.conclusion.rawValue)
            #expect(check.annotations.count == document.state.report?.survived)
            let exchanges = await harness.simulator.state.requests.filter {
                $0.hasPrefix("POST /app/installations/43/access_tokens")
            }
            #expect(exchanges.count == 1)
        }
    }

    @Test func `a failed run whose mutant did not apply is errored, not killed`() async throws {
        try await Harness.run(outcome: { job, mutant in
            job.hasSuffix("/m1/1") ? "apply-failed" : GitHubSimulator.defaultOutcome(job: job, mutant: mutant)
        }) { harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let document = try await harness.finished(try #require(reply.body["workflow"] as? String))
            #expect(document.state.mutants[1].status == .errored)
            #expect(document.state.mutants[1].attempts.last?.result == .infrastructure("the mutant did not apply"))
            #expect(document.state.report?.errored == 1)
            #expect(document.state.mutants.filter { $0.status == .failed }.allSatisfy { _ in true })
            #expect(await harness.simulator.state.requests.contains { $0.hasSuffix("/jobs") })
        }
    }

    @Test func `completion webhooks that are lost are found by asking the CI`() async throws {
        let dropped: @Sendable (String) -> Bool = { job in
            job.hasSuffix("/m0/1") || job.hasSuffix("/m3/1") || job.hasSuffix("/base/1")
        }
        // A deadline of 3 s: long enough that a loaded machine's runs (30 ms each) have finished
        // when the CI is asked, so each lost webhook is found, not timed out and retried.
        let tenant = Harness.acme(
            settings: Settings(maxMutants: 6, maxConcurrentJobs: 3, jobTimeoutSeconds: 3, retryBaseSeconds: 0))
        try await Harness.run(tenants: [tenant], configure: { $0.dropWebhook = dropped }) { harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let document = try await harness.ticked(try #require(reply.body["workflow"] as? String))
            #expect(document.state.status == .completed)
            #expect(await harness.simulator.state.webhooksDropped == 3)
            #expect(document.state.mutants[0].attempts.count == 1)
            #expect(document.history.contains { $0.event.contains("asked the CI about") && $0.event.contains("/m0/1") })
            let counts = await harness.simulator.state.dispatchCounts()
            #expect(counts.values.allSatisfy { $0 == 1 })
        }
    }

    @Test(arguments: [1, 4])
    func `a crash between the CI call and recording its result still dispatches each job once`(mutantsPerRun: Int)
        async throws
    {
        let clock = ManualClock()
        let settings = Settings(
            maxMutants: 8, maxConcurrentJobs: 3, jobTimeoutSeconds: 600, retryBaseSeconds: 0,
            mutantsPerRun: mutantsPerRun)
        try await Harness.run(tenants: [Harness.acme(settings: settings)], clock: clock) { harness in
            let pr = PullRequest(
                owner: "acme", repo: "shop", number: 42, headSHA: "9f1c2ab47d3e8b6f0a5c4d2e1b7f8a9c0d3e4f5a",
                headRef: "volume-discounts")
            let id = Identifier.workflow(for: pr)
            // The function writes the workflow and its outbox, calls GitHub for each effect, then dies
            // before a single result is recorded.
            let created = try await harness.engine.create(tenant: "acme", id: id, eventID: "d1") { now in
                Run.start(id: id, tenant: "acme", pullRequest: pr, settings: settings, now: now)
            }
            let started = try #require(created)
            let effects = try #require(started.newEffects)
            for entry in effects {
                _ = await harness.orchestrator.executor.execute(entry.effect, tenant: "acme", workflow: id)
            }
            #expect(await harness.simulator.state.runs.count == 2)
            // Another copy's timer finds the outbox after the lease and runs the effects again.
            clock.advance(seconds: 61)
            let document = try await harness.ticked(id)
            #expect(document.state.status == .completed)
            let counts = await harness.simulator.state.dispatchCounts()
            // The baseline's two runs, then the eight mutants in runs of `mutantsPerRun`.
            #expect(counts.count == 2 + (8 + mutantsPerRun - 1) / mutantsPerRun)
            #expect(counts.values.allSatisfy { $0 == 1 })
            #expect(await harness.simulator.state.checkRuns.count == 1)
        }
    }

    @Test func `a dispatch whose lease ran out while it took a slot leaves the CI to the run that took over`()
        async throws
    {
        let clock = ManualClock()
        try await Harness.run(clock: clock) { harness in
            let (id, entry) = try await Self.startedDispatch(harness)
            // Past the lease a timer has started another run of the entry (raising its attempts);
            // the late run must not reach the CI then, where the other, looking first, might not
            // see it yet.
            _ = try await harness.engine.apply(
                tenant: "acme", id: id, [],
                reschedule: [Reschedule(key: entry.key, afterSeconds: 60, reason: "lease expired")])
            let ended = EffectLease(rerun: false, ends: clock.now(), attempts: 0)
            let late = await harness.orchestrator.executor.execute(
                entry.effect, tenant: "acme", workflow: id, lease: ended)
            guard case .retry(let seconds, let reason) = late else {
                Issue.record("a dispatch past its lease went ahead: \(late)")
                return
            }
            #expect(seconds == harness.engine.effectLeaseSeconds)
            #expect(reason.contains("lease"))
            #expect(await harness.simulator.state.runs.isEmpty)
            // The workflow still wants the dispatch: the slot stays held for the run that took over,
            // which dispatches once.
            #expect(try await harness.engine.store.listAll(prefix: StoreKey.slotsPrefix(tenant: "acme")).count == 1)
            let next = await harness.orchestrator.executor.execute(
                entry.effect, tenant: "acme", workflow: id,
                lease: EffectLease(rerun: true, ends: clock.now().adding(seconds: 60), attempts: 1))
            guard case .completed(.dispatched) = next else {
                Issue.record("the run that took over did not dispatch: \(next)")
                return
            }
            #expect(await harness.simulator.state.runs.count == 1)
            #expect(try await harness.engine.store.listAll(prefix: StoreKey.slotsPrefix(tenant: "acme")).count == 1)
        }
    }

    @Test func `a dispatch past its lease that nobody took over goes on`() async throws {
        let clock = ManualClock()
        try await Harness.run(clock: clock) { harness in
            let (id, entry) = try await Self.startedDispatch(harness)
            let late = await harness.orchestrator.executor.execute(
                entry.effect, tenant: "acme", workflow: id, lease: EffectLease(rerun: false, ends: clock.now()))
            guard case .completed(.dispatched) = late else {
                Issue.record("a dispatch nobody took over was held back: \(late)")
                return
            }
            #expect(await harness.simulator.state.runs.count == 1)
        }
    }

    /// A new workflow written with its outbox, and its first dispatch entry, not run yet.
    static func startedDispatch(_ harness: Harness) async throws -> (String, OutboxEntry<Workflow.Effect>) {
        let pr = PullRequest(
            owner: "acme", repo: "shop", number: 42, headSHA: "9f1c2ab47d3e8b6f0a5c4d2e1b7f8a9c0d3e4f5a",
            headRef: "volume-discounts")
        let id = Identifier.workflow(for: pr)
        let created = try await harness.engine.create(tenant: "acme", id: id, eventID: "d1") { now in
            Run.start(id: id, tenant: "acme", pullRequest: pr, settings: Harness.acme().settings, now: now)
        }
        return (id, try #require(created?.newEffects?.first { $0.key.hasSuffix("/dispatch") }))
    }

    @Test func `a dispatch given up while it took a slot past its lease gives the slot back`() async throws {
        let clock = ManualClock()
        try await Harness.run(clock: clock) { harness in
            let (id, entry) = try await Self.startedDispatch(harness)
            // The workflow is cancelled while the dispatch is still taking its slot.
            _ = try await harness.engine.apply(
                tenant: "acme", id: id, [EventInput(id: "stop", event: .cancelRequested(reason: "test"))])
            let late = await harness.orchestrator.executor.execute(
                entry.effect, tenant: "acme", workflow: id, lease: EffectLease(rerun: false, ends: clock.now()))
            guard case .retry = late else {
                Issue.record("a dispatch past its lease went ahead: \(late)")
                return
            }
            #expect(await harness.simulator.state.runs.isEmpty)
            #expect(try await harness.engine.store.listAll(prefix: StoreKey.slotsPrefix(tenant: "acme")).isEmpty)
        }
    }

    @Test func `a rate-limited dispatch waits for Retry-After through the timer`() async throws {
        let clock = ManualClock()
        try await Harness.run(configure: { $0.rateLimitedDispatches = 1 }, clock: clock) { harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(reply.body["workflow"] as? String)
            let waiting = try #require(try await harness.engine.load(tenant: "acme", id: workflow)?.0)
            // One of the baseline's two dispatches met the limit and waits; the other went through.
            let entry = try #require(waiting.outbox.first { $0.key.hasSuffix("/dispatch") })
            #expect(entry.notBefore == clock.now().adding(seconds: 7))
            #expect(entry.lastError?.contains("429") == true)
            #expect(await harness.simulator.state.runs.count == 1)
            clock.advance(seconds: 7)
            let document = try await harness.ticked(workflow)
            #expect(document.state.status == .completed)
        }
    }

    @Test func `a repository that refuses us ends the workflow as failed, with the reason`() async throws {
        var tenant = Harness.acme()
        tenant.githubToken = Secret("revoked")
        try await Harness.run(tenants: [tenant]) { harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(reply.body["workflow"] as? String)
            let document = try await harness.finished(workflow)
            #expect(document.state.status == .failed)
            #expect(
                document.history.contains { $0.event.contains("failed: GitHub refused") && $0.event.contains("401") })
        }
    }
}

/// The GitHub App route: one URL for every customer, the tenant found by `installation.id`.
struct AppRouteTests {
    @Test func `the app route finds the tenant by installation and checks the app's secret`() async throws {
        try await Harness.run(appWebhookSecret: Secret("app-secret")) { harness in
            let before = harness.snapshot()
            let wrong = try await harness.deliver(
                fixture("github/pull_request.opened.json"), event: "pull_request", path: "/webhooks/github",
                secret: Harness.secret)
            #expect(wrong.status == 401)
            let text = String(decoding: try fixture("github/pull_request.opened.json"), as: UTF8.self)
            let stranger = Data(
                text.replacingOccurrences(
                    of: "\"installation\": {\n    \"id\": 42", with: "\"installation\": {\n    \"id\": 4242"
                ).utf8)
            let unknown = try await harness.deliver(
                stranger, event: "pull_request", path: "/webhooks/github", secret: "app-secret")
            #expect(unknown.status == 404)
            #expect(harness.snapshot() == before)
            let accepted = try await harness.deliver(
                fixture("github/pull_request.opened.json"), event: "pull_request", path: "/webhooks/github",
                secret: "app-secret")
            #expect(accepted.status == 202)
            let workflow = try #require(accepted.body["workflow"] as? String)
            #expect(try await harness.finished(workflow).tenant == "acme")
        }
    }
}
