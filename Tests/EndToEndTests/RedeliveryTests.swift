import Egress
import Engine
import Foundation
import Hashing
import Orchestration
import Simulators
import Testing
import Workflow

/// Failed webhook deliveries asked for again through the App's hook-deliveries API: once each,
/// at most every interval, and at most three times for one that keeps failing.
struct RedeliveryTests {
    static let appSecret = "app-webhook-secret"

    @Test func `a pull_request delivery that got no answer is asked for again once, and measured`() async throws {
        try await Harness.run(
            tenants: [Harness.acme(), CIRoundTripTests.globexOnApp()],
            configure: { $0.app = (77, CIRoundTripTests.appKey.publicKey, 43) }, app: CIRoundTripTests.app,
            appWebhookSecret: Secret(Self.appSecret)
        ) { harness in
            let simulator = harness.simulator
            let opened = try fixture("github/pull_request.opened.json")
            // GitHub could not reach Tinybug at all (nothing listens there).
            await simulator.state.target(url: "http://127.0.0.1:9/webhooks/github", secret: Self.appSecret)
            #expect(await simulator.send(event: "pull_request", payload: opened) == 0)
            await simulator.state.target(url: "\(harness.base)/webhooks/github", secret: Self.appSecret)
            let start = Date()
            let first = await harness.orchestrator.reconcileDeliveries(now: start)
            #expect(first.asked == 1 && first.looked == 1)
            let workflow = Identifier.workflow(
                for: PullRequest(
                    owner: "acme", repo: "shop", number: 42, headSHA: "9f1c2ab47d3e8b6f0a5c4d2e1b7f8a9c0d3e4f5a",
                    headRef: "volume-discounts"))
            #expect(try await harness.ticked(workflow).state.status == .completed)
            let redelivery = try #require(await simulator.state.deliveries.first { $0.redelivery })
            #expect(redelivery.statusCode == 202 && redelivery.event == "pull_request")
            // Within the interval nobody looks; after it, nothing is asked for again.
            #expect(await harness.orchestrator.reconcileDeliveries(now: start.addingTimeInterval(10)).looked == 0)
            let later = await harness.orchestrator.reconcileDeliveries(now: start.addingTimeInterval(301))
            #expect(later.asked == 0)
            #expect(await simulator.state.requests.filter { $0.hasPrefix("POST redelivery") }.count == 1)
        }
    }

    @Test func `a delivery that keeps failing is asked for again three times, then left`() async throws {
        try await Harness.run(
            tenants: [Harness.acme(), CIRoundTripTests.globexOnApp()],
            configure: { $0.app = (77, CIRoundTripTests.appKey.publicKey, 43) }, app: CIRoundTripTests.app,
            appWebhookSecret: Secret(Self.appSecret)
        ) { harness in
            let simulator = harness.simulator
            await simulator.state.target(url: "http://127.0.0.1:9/webhooks/github", secret: Self.appSecret)
            #expect(
                await simulator.send(event: "pull_request", payload: try fixture("github/pull_request.opened.json"))
                    == 0)
            // A ping is not an event Tinybug takes: it is never asked for again.
            #expect(await simulator.send(event: "ping", payload: try fixture("github/ping.json")) == 0)
            var asked: [Int] = []
            for round in 0..<5 {
                let summary = await harness.orchestrator.reconcileDeliveries(
                    now: Date().addingTimeInterval(Double(round) * 301))
                asked.append(summary.asked)
                // Each redelivery fails too; wait until GitHub has logged it.
                let expected = min(round + 1, 3) + 2
                _ = try await poll { await simulator.state.deliveries.count >= expected ? true : nil }
            }
            #expect(asked == [1, 1, 1, 0, 0])
        }
    }

    @Test func `the App's hook deliveries are read page by page through the Link header`() async throws {
        try await Harness.run(
            tenants: [Harness.acme(), CIRoundTripTests.globexOnApp()],
            configure: { $0.app = (77, CIRoundTripTests.appKey.publicKey, 43) }, app: CIRoundTripTests.app,
            appWebhookSecret: Secret(Self.appSecret)
        ) { harness in
            await harness.simulator.state.target(url: "http://127.0.0.1:9/webhooks/github", secret: Self.appSecret)
            for _ in 0..<5 { await harness.simulator.send(event: "ping", payload: try fixture("github/ping.json")) }
            let client = try HookDeliveries.app(CIRoundTripTests.app, apiURL: harness.githubURL)
            let (first, next) = try await client.page(cursor: nil, perPage: 2)
            #expect(first.count == 2 && next != nil)
            let (second, _) = try await client.page(cursor: next, perPage: 2)
            #expect(second.count == 2 && Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
            #expect(first[0].id > second[0].id)
            let wrong = try HookDeliveries.app(
                GitHubApp(appID: 78, privateKey: CIRoundTripTests.app.privateKey), apiURL: harness.githubURL)
            await #expect(throws: RESTError.self) { try await wrong.page(cursor: nil) }
        }
    }
}
