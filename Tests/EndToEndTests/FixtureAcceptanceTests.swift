import Foundation
import Hashing
import Ingress
import Testing

/// Every recorded delivery is accepted when signed, and refused when one byte is changed.
struct FixtureAcceptanceTests {
    static let github = [
        "ping", "pull_request.opened", "pull_request.opened.draft", "pull_request.reopened", "pull_request.synchronize",
        "pull_request.ready_for_review", "pull_request.closed", "pull_request.labeled", "workflow_run.requested",
        "workflow_run.in_progress", "workflow_run.completed", "workflow_run.completed.timed_out",
    ]
    static let buildkite = [
        "ping", "build.running", "build.finished", "build.finished.passed", "build.finished.canceled",
    ]

    @Test(arguments: github)
    func `a GitHub fixture is accepted signed and refused tampered`(name: String) async throws {
        try await Harness.run(jobDuration: .seconds(30)) { harness in
            let body = try fixture("github/\(name).json")
            let event = String(name.prefix { $0 != "." })
            let signed = try await harness.deliver(body, event: event)
            #expect((200..<300).contains(signed.status), "\(name): \(signed.status) \(signed.body)")
            var tampered = body
            tampered[tampered.count / 2] ^= 0x01
            let refused = try await harness.deliver(
                tampered, event: event, signature: Signature.gitHubHeader(body: body, secret: Secret(Harness.secret)))
            #expect(refused.status == 401)
        }
    }

    @Test(arguments: buildkite)
    func `a Buildkite fixture is accepted signed and refused tampered`(name: String) async throws {
        try await Harness.run(tenants: [Harness.acme(), BuildkiteIngressTests.globex()]) { harness in
            try await BuildkiteIngressTests.seed(harness)
            let body = try fixture("buildkite/\(name).json")
            let event =
                name.hasPrefix("ping") ? "ping" : name.hasPrefix("build.running") ? "build.running" : "build.finished"
            let now = Int64(Date().timeIntervalSince1970)
            let header = Signature.buildkiteHeader(
                body: body, secret: Secret(BuildkiteIngressTests.secret), timestamp: now)
            let path = "/webhooks/buildkite/globex"
            let signed = try await harness.request(
                "POST", path, body: body, headers: ["X-Buildkite-Event": event, "X-Buildkite-Signature": header])
            #expect((200..<300).contains(signed.status), "\(name): \(signed.status) \(signed.body)")
            var tampered = body
            tampered[tampered.count / 2] ^= 0x01
            let refused = try await harness.request(
                "POST", path, body: tampered, headers: ["X-Buildkite-Event": event, "X-Buildkite-Signature": header])
            #expect(refused.status == 401)
        }
    }
}
