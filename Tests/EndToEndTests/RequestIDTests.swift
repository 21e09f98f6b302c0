import Engine
import Foundation
import FunctionRuntime
import HTTPTypes
import Hashing
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Ingress
import Logging
import NIOCore
import Orchestration
import Testing
import Workflow

/// The request id the middleware takes from the gateway (or makes) is on every line the request
/// logs: the orchestrator's, the engine's and the effects'.
struct RequestIDTests {
    @Test(arguments: ["req-from-the-gateway", ""])
    func `the request id travels to the engine and the effects`(given: String) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-reqid-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "test") { _ in handler }
        let acme = Tenant(id: "acme", githubWebhookSecret: Secret("s"), githubToken: Secret("t"))
        var orchestrator = InProcess.orchestrator([acme], store: try FileStore(root: root), logger: logger)
        orchestrator.effectBudget = .milliseconds(200)
        let body = try fixture("github/pull_request.opened.json")
        var headers = HTTPFields()
        headers[HTTPField.Name("X-GitHub-Event")!] = "pull_request"
        headers[HTTPField.Name("X-GitHub-Delivery")!] = "delivery-\(UUID().uuidString)"
        headers[HTTPField.Name("X-Hub-Signature-256")!] = Signature.gitHubHeader(body: body, secret: Secret("s"))
        if !given.isEmpty { headers[HTTPField.Name("X-Request-Id")!] = given }
        let sent = headers
        let app = Application(router: FunctionApp.router(.all, orchestrator: orchestrator), logger: logger)
        let answered = try await app.test(.router) {
            client in
            try await client.execute(
                uri: "/webhooks/github/acme", method: .post, headers: sent, body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .accepted)
                return response.headers[HTTPField.Name("X-Request-Id")!] ?? ""
            }
        }
        #expect(!answered.isEmpty)
        if !given.isEmpty { #expect(answered == given) }
        let created = try #require(handler.entries.first { $0.message.description == "Created workflow" })
        #expect(created.metadata["request.id"]?.description == answered)
        let retried = handler.entries.filter { $0.message.description == "Effect will be retried" }
        #expect(!retried.isEmpty)
        #expect(retried.allSatisfy { $0.metadata["request.id"]?.description == answered })
    }
}
