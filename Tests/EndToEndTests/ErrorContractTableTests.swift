import Engine
import Foundation
import FunctionRuntime
import HTTPTypes
import Hashing
import Hummingbird
import HummingbirdTesting
import Ingress
import Logging
import NIOCore
import Orchestration
import Testing
import Workflow

/// CONTRACT.md's error answers as one table, driven in-process through Hummingbird's router test
/// framework: each request is refused with its status and leaves the store as it was.
struct ErrorContractTableTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var method: HTTPRequest.Method = .post
        var path: String
        var headers: [String: String] = [:]
        var body = ""
        /// Sign `body` with acme's GitHub secret.
        var signed = false
        var status: Int
        var testDescription: String { "\(name) → \(status)" }
    }

    static let secret = "table-secret"
    static let apiToken = "table-api-token"
    static let adminToken = "table-admin-token"
    static let pullRequest = #"{"action":"opened","pull_request":{}}"#

    static let cases: [Case] = [
        Case(
            name: "no signature", path: "/webhooks/github/acme", headers: ["X-GitHub-Event": "pull_request"],
            status: 401),
        Case(
            name: "a wrong signature", path: "/webhooks/github/acme",
            headers: [
                "X-GitHub-Event": "pull_request", "X-Hub-Signature-256": "sha256=" + String(repeating: "0", count: 64),
            ],
            status: 401),
        Case(name: "an unknown tenant", path: "/webhooks/github/nobody", signed: true, status: 404),
        Case(
            name: "malformed JSON", path: "/webhooks/github/acme",
            headers: ["X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d1"], body: "{\"action\":", signed: true,
            status: 400),
        Case(
            name: "a payload missing fields", path: "/webhooks/github/acme",
            headers: ["X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d2"], body: pullRequest, signed: true,
            status: 400),
        Case(
            name: "no delivery id", path: "/webhooks/github/acme", headers: ["X-GitHub-Event": "pull_request"],
            body: pullRequest, signed: true, status: 400),
        Case(name: "no event header", path: "/webhooks/github/acme", signed: true, status: 400),
        Case(name: "the App route without an App", path: "/webhooks/github", signed: true, status: 404),
        Case(name: "a CI route for a tenant on another CI", path: "/webhooks/buildkite/acme", status: 404),
        Case(name: "a CI route for an unknown tenant", path: "/webhooks/buildkite/nobody", status: 404),
        Case(name: "the timer without a token", path: "/timer", status: 401),
        Case(
            name: "the timer with a wrong token", path: "/timer", headers: ["Authorization": "Bearer nope"], status: 401
        ),
        Case(name: "the API without a token", method: .get, path: "/api/v1/tenants/acme/workflows", status: 401),
        Case(
            name: "the API with a wrong token", method: .get, path: "/api/v1/tenants/acme/workflows",
            headers: ["Authorization": "Bearer nope"], status: 401),
        Case(
            name: "the API with Basic credentials", method: .get, path: "/api/v1/tenants/acme/workflows",
            headers: ["Authorization": "Basic " + Data("x:\(apiToken)".utf8).base64EncodedString()], status: 401),
        Case(
            name: "the admin token on an unknown tenant", method: .get, path: "/api/v1/tenants/nobody/workflows",
            headers: ["Authorization": "Bearer \(adminToken)"], status: 404),
        Case(
            name: "an invalid tenant id", method: .get, path: "/api/v1/tenants/ACME_1/workflows",
            headers: ["Authorization": "Bearer \(adminToken)"], status: 400),
        Case(
            name: "an id that escapes its folder", method: .get, path: "/api/v1/tenants/acme/workflows/..%2F..%2Fetc",
            headers: ["Authorization": "Bearer \(apiToken)"], status: 400),
        Case(
            name: "an unknown workflow", method: .get, path: "/api/v1/tenants/acme/workflows/nope",
            headers: ["Authorization": "Bearer \(apiToken)"], status: 404),
        Case(
            name: "an unknown action", path: "/api/v1/tenants/acme/workflows/nope/explode",
            headers: ["Authorization": "Bearer \(apiToken)"], status: 404),
        Case(
            name: "steering an unknown workflow", path: "/api/v1/tenants/acme/workflows/nope/pause",
            headers: ["Authorization": "Bearer \(apiToken)"], status: 404),
        Case(
            name: "cancelling a whole tenant", path: "/api/v1/tenants/acme/cancel",
            headers: ["Authorization": "Bearer \(apiToken)"], status: 404),
        Case(name: "a page without a sign-in", method: .get, path: "/ui/tenants/acme", status: 401),
        Case(
            name: "a page of an unknown workflow", method: .get, path: "/ui/tenants/acme/workflows/nope",
            headers: ["Authorization": "Basic " + Data("x:\(apiToken)".utf8).base64EncodedString()], status: 404),
    ]

    static func orchestrator(root: String) throws -> Orchestrator {
        let acme = Tenant(
            id: "acme", githubWebhookSecret: Secret(secret), githubToken: Secret("t"), apiToken: Secret(apiToken))
        return InProcess.orchestrator(
            [acme], store: try FileStore(root: root), admin: Secret(adminToken), timer: Secret("timer"))
    }

    @Test(arguments: cases)
    func `a refused request answers its status and changes nothing`(_ test: Case) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-table-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let orchestrator = try Self.orchestrator(root: root)
        let app = Application(router: FunctionApp.router(.all, orchestrator: orchestrator))
        var fields = HTTPFields()
        for (name, value) in test.headers { fields[HTTPField.Name(name)!] = value }
        if test.signed {
            fields[HTTPField.Name("X-Hub-Signature-256")!] = Signature.gitHubHeader(
                body: Data(test.body.utf8), secret: Secret(Self.secret))
        }
        let headers = fields
        let before = Set(FileManager.default.subpaths(atPath: root) ?? [])
        try await app.test(.router) { client in
            try await client.execute(
                uri: test.path, method: test.method, headers: headers, body: ByteBuffer(string: test.body)
            ) { response in
                #expect(Int(response.status.code) == test.status)
                #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
                if test.path.hasPrefix("/ui/") {
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                    #expect((response.headers[.wwwAuthenticate] != nil) == (test.status == 401))
                } else {
                    let body =
                        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                    #expect(body?["result"] as? String == "rejected")
                    #expect((body?["error"] as? String)?.isEmpty == false)
                }
            }
        }
        #expect(Set(FileManager.default.subpaths(atPath: root) ?? []) == before)
    }
}
