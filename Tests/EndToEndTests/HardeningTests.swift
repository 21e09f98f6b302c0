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

/// What an outside probe found open, each shut and shown (issue: hardening from an outside probe).
struct HardeningTests {
    static func root() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-hardening-\(UUID().uuidString)").path
    }

    static func orchestrator(_ tenants: [Tenant], root: String, admin: Secret? = nil) throws -> Orchestrator {
        InProcess.orchestrator(tenants, store: try FileStore(root: root), admin: admin)
    }

    static func fields(_ headers: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    // MARK: 1. Empty secrets never authenticate

    @Test(arguments: [#""""#, #""   ""#, #""file:EMPTY""#])
    func `a tenant with an empty secret is refused when the tenants file loads, naming tenant and field`(secret: String)
        throws
    {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-empty-\(UUID().uuidString)")
        try Data().write(to: empty)
        let text = #"{"tenants":[{"id":"acme","github":{"webhookSecret":\#(secret),"token":"t"}}]}"#
            .replacingOccurrences(of: "EMPTY", with: empty.path)
        let error = #expect(throws: ConfigError.self) {
            try Tenants.parse(Data(text.utf8), environment: [:], logger: Harness.quietLogger)
        }
        #expect(error?.description.contains("acme.github.webhookSecret") == true, "\(String(describing: error))")
    }

    @Test func `an empty admin or timer token disables its route, with a warning`() throws {
        let config = try FunctionConfig(environment: ["TINYBUG_ADMIN_TOKEN": "", "TINYBUG_TIMER_TOKEN": " "])
        #expect(config.adminToken == nil)
        #expect(config.timerToken == nil)
        #expect(config.warnings.count == 2)
    }

    @Test func `empty credentials built in code still never authenticate`() async throws {
        let root = Self.root()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let blank = Tenant(
            id: "acme", githubWebhookSecret: Secret(""), githubToken: Secret("t"),
            ci: .buildkite(
                organization: "o", pipeline: "p", apiToken: nil, webhookSecret: nil, webhookToken: Secret("")),
            apiToken: Secret(""))
        let app = Application(
            router: FunctionApp.router(
                .all, orchestrator: try Self.orchestrator([blank], root: root, admin: Secret(""))))
        try await app.test(.router) { client in
            let basic = "Basic " + Data("x:".utf8).base64EncodedString()
            try await client.execute(
                uri: "/ui/tenants/acme", method: .get, headers: Self.fields(["Authorization": basic])
            ) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(
                uri: "/api/v1/tenants/acme/workflows", method: .get, headers: Self.fields(["Authorization": "Bearer "])
            ) { #expect($0.status == .unauthorized) }
            try await client.execute(
                uri: "/webhooks/buildkite/acme", method: .post,
                headers: Self.fields(["X-Buildkite-Token": "", "X-Buildkite-Event": "ping"])
            ) { #expect($0.status == .unauthorized) }
            let body = ByteBuffer(string: "{}")
            let signed = Signature.gitHubHeader(body: Data("{}".utf8), secret: Secret(""))
            try await client.execute(
                uri: "/webhooks/github/acme", method: .post,
                headers: Self.fields(["X-Hub-Signature-256": signed, "X-GitHub-Event": "ping"]), body: body
            ) { #expect($0.status == .unauthorized) }
        }
    }

    // MARK: 2. No script links, and pages say so in their headers

    @Test func `a CI run URL that is not http or https is shown as text, never as a link`() {
        #expect(!HTML.link("javascript:alert(1)").contains("href"))
        #expect(!HTML.link("JavaScript:alert(1)").contains("href"))
        #expect(!HTML.link("data:text/html,x").contains("href"))
        #expect(HTML.link("https://github.com/acme/shop/actions/runs/1").contains(#"href="https://github.com"#))
    }

    @Test func `pages forbid scripts, framing, sniffing and referrers`() async throws {
        let root = Self.root()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let acme = Tenant(
            id: "acme", githubWebhookSecret: Secret("s"), githubToken: Secret("t"), apiToken: Secret("token"))
        let app = Application(router: FunctionApp.router(.all, orchestrator: try Self.orchestrator([acme], root: root)))
        try await app.test(.router) { client in
            for headers in [[:], ["Authorization": "Basic " + Data("x:token".utf8).base64EncodedString()]] {
                try await client.execute(uri: "/ui/tenants/acme", method: .get, headers: Self.fields(headers)) {
                    response in
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.contains("default-src 'none'"))
                    #expect(!policy.contains("script-src"))
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                }
            }
        }
    }

    // MARK: 4. Memory before auth

    @Test func `an unknown tenant or an over-long declared body is refused before a byte is read`() async throws {
        let root = Self.root()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let acme = Tenant(id: "acme", githubWebhookSecret: Secret("s"), githubToken: Secret("t"))
        var limits = ServerLimits()
        limits.maxBodyBytes = 1000
        limits.maxBufferedBytes = 1500
        let router = FunctionApp.router(.all, orchestrator: try Self.orchestrator([acme], root: root), limits: limits)
        try await Application(router: router).test(.router) { client in
            try await client.execute(
                uri: "/webhooks/github/nobody", method: .post, body: ByteBuffer(repeating: 0x20, count: 900)
            ) {
                #expect($0.status == .notFound)
            }
            try await client.execute(
                uri: "/webhooks/github/acme", method: .post, headers: Self.fields(["Content-Length": "1001"]),
                body: ByteBuffer(repeating: 0x20, count: 1001)
            ) { #expect($0.status == .contentTooLarge) }
        }
    }

    @Test func `bytes buffered across requests are bounded, and past the bound the answer is 503 with Retry-After`() {
        let budget = BodyBudget(limit: 100)
        #expect(budget.reserve(60))
        #expect(!budget.reserve(60))
        budget.release(60)
        #expect(budget.reserve(100))
        #expect(!budget.reserve(1))
    }

    // MARK: 5. Metric labels from a fixed list

    @Test func `event headers never become metric labels`() async throws {
        let root = Self.root()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let acme = Tenant(id: "acme", githubWebhookSecret: Secret("s"), githubToken: Secret("t"))
        let orchestrator = try Self.orchestrator([acme], root: root)
        try await Application(router: FunctionApp.router(.all, orchestrator: orchestrator)).test(.router) { client in
            for index in 0..<40 {
                try await client.execute(
                    uri: "/webhooks/github/nobody", method: .post,
                    headers: Self.fields(["X-GitHub-Event": "probe-\(index)"])
                ) { _ in }
                try await client.execute(
                    uri: "/webhooks/buildkite/nobody", method: .post,
                    headers: Self.fields(["X-Buildkite-Event": "probe-\(index)"])
                ) { _ in }
            }
        }
        let metrics = String(decoding: orchestrator.telemetry.exposition(), as: UTF8.self)
        #expect(!metrics.contains("probe-"))
        #expect(metrics.contains(#"type="github.other""#))
        #expect(metrics.contains(#"type="buildkite.other""#))
    }

    // MARK: 7. Names that would move a path

    @Test(arguments: ["widgets/../../../orgs/x", "a?b", "a#b", "..", "-acme"])
    func `owner and repository names outside GitHub's rules are a payload error`(name: String) throws {
        let payload: [String: Any] = [
            "action": "opened",
            "pull_request": [
                "number": 1, "head": ["sha": String(repeating: "a", count: 40), "ref": "x"], "base": ["ref": "main"],
            ],
            "repository": ["name": name, "owner": ["login": "acme"]],
        ]
        let body = try JSONSerialization.data(withJSONObject: payload)
        #expect(throws: PayloadError.self) { try GitHubWebhook.decode(event: "pull_request", body: body) }
        var owner = payload
        owner["repository"] = ["name": "shop", "owner": ["login": name]]
        let ownerBody = try JSONSerialization.data(withJSONObject: owner)
        #expect(throws: PayloadError.self) { try GitHubWebhook.decode(event: "pull_request", body: ownerBody) }
    }

    // MARK: 8. One installation, one tenant

    @Test func `two tenants with one installation id make the tenants file invalid`() {
        let text = #"""
            {"tenants":[{"id":"acme","github":{"installationId":42,"webhookSecret":"s","token":"t"}},
                        {"id":"globex","github":{"installationId":42,"webhookSecret":"s","token":"t"}}]}
            """#
        let error = #expect(throws: ConfigError.self) {
            try Tenants.parse(Data(text.utf8), environment: [:], logger: Harness.quietLogger)
        }
        #expect(error?.description.contains("42") == true)
    }

    @Test func `baselineRuns defaults to two, and a count outside 1…5 is refused by name`() throws {
        func tenants(_ limits: String) -> Data {
            Data(#"{"tenants":[{"id":"acme","github":{"webhookSecret":"s","token":"t"}\#(limits)}]}"#.utf8)
        }
        let plain = try Tenants.parse(tenants(""), environment: [:], logger: Harness.quietLogger)
        #expect(plain.all["acme"]?.settings.baselineRuns == 2)
        let once = try Tenants.parse(
            tenants(#","limits":{"baselineRuns":1}"#), environment: [:], logger: Harness.quietLogger)
        #expect(once.all["acme"]?.settings.baselineRuns == 1)
        for count in [0, 6] {
            let error = #expect(throws: ConfigError.self) {
                try Tenants.parse(
                    tenants(#","limits":{"baselineRuns":\#(count)}"#), environment: [:], logger: Harness.quietLogger)
            }
            #expect(error?.description.contains("acme.limits.baselineRuns") == true)
        }
    }

    @Test func `mutantsPerRun defaults to one, and a count outside 1…20 is refused by name`() throws {
        func tenants(_ limits: String) -> Data {
            Data(#"{"tenants":[{"id":"acme","github":{"webhookSecret":"s","token":"t"}\#(limits)}]}"#.utf8)
        }
        let plain = try Tenants.parse(tenants(""), environment: [:], logger: Harness.quietLogger)
        #expect(plain.all["acme"]?.settings.mutantsPerRun == 1)
        let five = try Tenants.parse(
            tenants(#","limits":{"mutantsPerRun":5}"#), environment: [:], logger: Harness.quietLogger)
        #expect(five.all["acme"]?.settings.mutantsPerRun == 5)
        for count in [0, 21] {
            let error = #expect(throws: ConfigError.self) {
                try Tenants.parse(
                    tenants(#","limits":{"mutantsPerRun":\#(count)}"#), environment: [:], logger: Harness.quietLogger)
            }
            #expect(error?.description.contains("acme.limits.mutantsPerRun") == true)
        }
    }

    // MARK: 10. Error bodies say what the sender can act on

    /// A store whose every operation fails the way a real one does, naming where it lives.
    struct UnreachableStore: DocumentStore {
        static let location = "/var/lib/tinybug-secret-location"
        var error: StoreError { .unavailable("open \(Self.location)/tenants: input/output error") }
        func read(_ key: StoreKey) async throws(StoreError) -> Stored? { throw error }
        func create(_ key: StoreKey, _ data: Data) async throws(StoreError) -> Version { throw error }
        func replace(_ key: StoreKey, _ data: Data, ifMatch version: Version) async throws(StoreError) -> Version {
            throw error
        }
        func put(_ key: StoreKey, _ data: Data) async throws(StoreError) { throw error }
        func delete(_ key: StoreKey) async throws(StoreError) { throw error }
        func delete(_ key: StoreKey, ifMatch version: Version) async throws(StoreError) { throw error }
        func list(prefix: String, startAfter: String?, limit: Int) async throws(StoreError) -> [StoreKey] {
            throw error
        }
    }

    @Test func `an unavailable store is 503 with Retry-After and without the store's whereabouts in the body`()
        async throws
    {
        let acme = Tenant(
            id: "acme", githubWebhookSecret: Secret("s"), githubToken: Secret("t"), apiToken: Secret("token"))
        let orchestrator = InProcess.orchestrator([acme], store: UnreachableStore())
        try await Application(router: FunctionApp.router(.all, orchestrator: orchestrator)).test(.router) { client in
            try await client.execute(
                uri: "/api/v1/tenants/acme/workflows", method: .get,
                headers: Self.fields(["Authorization": "Bearer token"])
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                #expect(!String(buffer: response.body).contains(UnreachableStore.location))
            }
        }
    }
}
