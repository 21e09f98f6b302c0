import Engine
import Foundation
import FunctionRuntime
import Hashing
import Ingress
import Orchestration
import Testing
import Workflow

/// Buildkite's webhooks through the real HTTP route, on a tenant whose CI is Buildkite.
struct BuildkiteIngressTests {
    static let secret = "globex-buildkite-secret"
    static let workflow = "globex--api--pr7--4b7e9d2c1a8f"

    static func globex(token: String? = nil) -> Tenant {
        Tenant(
            id: "globex", githubWebhookSecret: Secret("globex-github"), githubToken: Secret(Harness.token),
            ci: .buildkite(
                organization: "globex", pipeline: "tinybug", apiToken: Secret("bk"),
                webhookSecret: token == nil ? Secret(secret) : nil, webhookToken: token.map(Secret.init)),
            settings: Settings(maxConcurrentJobs: 4))
    }

    /// A workflow of globex's whose mutants m0…m2 are in flight, as the fixture's key expects.
    static func seed(_ harness: Harness) async throws {
        let pr = PullRequest(
            owner: "globex", repo: "api", number: 7, headSHA: "4b7e9d2c1a8f6e3b5d0c9a7f2e1d8b6c4a3f5e7d", headRef: "x")
        _ = try await harness.engine.create(tenant: "globex", id: workflow, eventID: "seed") { now in
            Run.start(
                id: workflow, tenant: "globex", pullRequest: pr,
                settings: Settings(maxConcurrentJobs: 4, baselineRuns: 1), now: now)
        }
        let file = ChangedFile(
            path: "src/limits.go", patch: "@@ -0,0 +1,3 @@\n+ok := a == 1\n+ok := a == 2\n+ok := a == 3")
        let baseline = JobKey(tenant: "globex", workflow: workflow, job: .baseline, attempt: 1)
        _ = try await harness.engine.apply(
            tenant: "globex", id: workflow,
            [
                EventInput(id: "files", event: .filesListed([file])),
                EventInput(id: "green", event: .ciFinished(baseline, .passed, ciRunID: 1, url: nil)),
                EventInput(id: "read", event: .resultsRead(baseline, RunResults())),
            ])
    }

    func deliver(_ harness: Harness, _ body: Data, event: String = "build.finished", headers: [String: String]? = nil)
        async throws -> Harness.Reply
    {
        let now = Int64(Date().timeIntervalSince1970)
        let signed = [
            "X-Buildkite-Event": event,
            "X-Buildkite-Signature": Signature.buildkiteHeader(body: body, secret: Secret(Self.secret), timestamp: now),
        ]
        return try await harness.request("POST", "/webhooks/buildkite/globex", body: body, headers: headers ?? signed)
    }

    @Test func `a signed build.finished records the mutant's result, and a redelivery is 200`() async throws {
        try await Harness.run(tenants: [Harness.acme(), Self.globex()]) { harness in
            try await Self.seed(harness)
            let body = try fixture("buildkite/build.finished.json")
            let first = try await deliver(harness, body)
            #expect(first.status == 202)
            let document = try #require(try await harness.engine.load(tenant: "globex", id: Self.workflow)?.0)
            #expect(document.state.mutants[2].status == .failed)
            let again = try await deliver(harness, body)
            #expect(again.status == 200)
        }
    }

    @Test func `bad, stale or missing signatures are 401 and change nothing`() async throws {
        try await Harness.run(tenants: [Harness.acme(), Self.globex()]) { harness in
            try await Self.seed(harness)
            let before = harness.snapshot()
            let body = try fixture("buildkite/build.finished.json")
            let stale = Signature.buildkiteHeader(
                body: body, secret: Secret(Self.secret), timestamp: Int64(Date().timeIntervalSince1970) - 600)
            let wrong = Signature.buildkiteHeader(
                body: body, secret: Secret("other"), timestamp: Int64(Date().timeIntervalSince1970))
            for headers in [
                ["X-Buildkite-Event": "build.finished", "X-Buildkite-Signature": stale],
                ["X-Buildkite-Event": "build.finished", "X-Buildkite-Signature": wrong],
                ["X-Buildkite-Event": "build.finished"],
                ["X-Buildkite-Event": "build.finished", "X-Buildkite-Token": Self.secret],
            ] {
                let reply = try await deliver(harness, body, headers: headers)
                #expect(reply.status == 401, "headers \(headers.keys.sorted())")
            }
            #expect(harness.snapshot() == before)
        }
    }

    @Test func `a tenant configured with a token is checked by token`() async throws {
        try await Harness.run(tenants: [Harness.acme(), Self.globex(token: "bk-token")]) { harness in
            try await Self.seed(harness)
            let body = try fixture("buildkite/build.finished.json")
            let wrong = try await deliver(
                harness, body, headers: ["X-Buildkite-Event": "build.finished", "X-Buildkite-Token": "nope"])
            #expect(wrong.status == 401)
            let right = try await deliver(
                harness, body, headers: ["X-Buildkite-Event": "build.finished", "X-Buildkite-Token": "bk-token"])
            #expect(right.status == 202)
        }
    }

    @Test func `ping is 200, other events 202, an unknown tenant 404`() async throws {
        try await Harness.run(tenants: [Harness.acme(), Self.globex()]) { harness in
            let ping = try await deliver(harness, try fixture("buildkite/ping.json"), event: "ping")
            #expect(ping.status == 200)
            let running = try await deliver(
                harness, try fixture("buildkite/build.running.json"), event: "build.running")
            #expect(running.status == 202)
            let unknown = try await harness.request(
                "POST", "/webhooks/buildkite/nobody", body: Data("{}".utf8), headers: ["X-Buildkite-Event": "ping"])
            #expect(unknown.status == 404)
        }
    }

    @Test func `a build whose key names another tenant is 401`() async throws {
        try await Harness.run(tenants: [Harness.acme(), Self.globex()]) { harness in
            try await Self.seed(harness)
            let before = harness.snapshot()
            let text = String(decoding: try fixture("buildkite/build.finished.json"), as: UTF8.self)
                .replacingOccurrences(of: "\"tinybug_job\": \"globex/", with: "\"tinybug_job\": \"acme/")
            let reply = try await deliver(harness, Data(text.utf8))
            #expect(reply.status == 401)
            #expect(harness.snapshot() == before)
        }
    }
}
