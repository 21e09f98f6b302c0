import Egress
import Engine
import Foundation
import FoundationNetworking
import FunctionRuntime
import Hashing
import Logging
import Orchestration
import Simulators
import Synchronization
import Testing
import Workflow

/// `tinybug serve`'s routes on a free loopback port, a file store in a fresh folder, and the
/// GitHub simulator as GitHub: the real HTTP path end to end.
struct Harness {
    static let secret = "acme-webhook-secret"
    static let token = "acme-github-token"
    static let timerToken = "timer-token"
    static let adminToken = "admin-token"
    static let apiToken = "acme-api-token"

    let port: Int
    let simulator: GitHubSimulator
    let buildkite: BuildkiteSimulator
    let orchestrator: Orchestrator
    let storeRoot: String

    var engine: Engine<Run> { orchestrator.engine }
    /// The GitHub simulator's address.
    var githubURL: String { orchestrator.endpoints.github }
    var base: String { "http://127.0.0.1:\(port)" }

    static func acme(
        settings: Settings = Settings(maxMutants: 8, maxConcurrentJobs: 3, jobTimeoutSeconds: 600, retryBaseSeconds: 0)
    ) -> Tenant {
        Tenant(
            id: "acme", installationID: 42, githubWebhookSecret: Secret(secret), githubToken: Secret(token),
            apiToken: Secret(apiToken), settings: settings)
    }

    static func run<T>(
        tenants: [Tenant] = [acme()], jobDuration: Duration = .milliseconds(30),
        outcome: @escaping @Sendable (String, GitHubSimulator.MutantInput?) -> String? = GitHubSimulator.defaultOutcome,
        buildkiteOutcome: @escaping @Sendable (String, GitHubSimulator.MutantInput?) -> String? = BuildkiteSimulator
            .defaultOutcome,
        configure: (inout GitHubSimulator.Options) -> Void = { _ in }, app: GitHubApp? = nil,
        appWebhookSecret: Secret? = nil,
        clock: any WallClock = SystemClock(), store: (@Sendable () throws -> any DocumentStore)? = nil,
        effectLeaseSeconds: Int64 = 60,
        _ body: (Harness) async throws -> T
    ) async throws -> T {
        let logger = quietLogger
        var options = try simulatorOptions(jobDuration: jobDuration)
        options.outcome = outcome
        configure(&options)
        let simulator = GitHubSimulator(options: options)
        let buildkite = BuildkiteSimulator(
            options: .init(
                token: "bk", organization: "globex", pipeline: "tinybug", jobDuration: jobDuration,
                outcome: buildkiteOutcome))
        let storeRoot = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tinybug-e2e-\(UUID().uuidString)"
        ).path
        return try await LoopbackServer.withRunning({ simulator.application(logger: logger, onServerRunning: $0) }) {
            githubPort in
            try await LoopbackServer.withRunning({ buildkite.application(logger: logger, onServerRunning: $0) }) {
                buildkitePort in
                var engine = Engine<Run>(
                    store: try store?() ?? FileStore(root: storeRoot), clock: clock, logger: logger)
                engine.effectLeaseSeconds = effectLeaseSeconds
                let endpoints = Endpoints(
                    github: "http://127.0.0.1:\(githubPort)", buildkite: "http://127.0.0.1:\(buildkitePort)")
                let orchestrator = Orchestrator(
                    engine: engine, tenants: Tenants(tenants, appWebhookSecret: appWebhookSecret, app: app),
                    endpoints: endpoints,
                    timerToken: Secret(timerToken), adminToken: Secret(adminToken), logger: logger)
                return try await LoopbackServer.withRunning({
                    FunctionApp.build(
                        .all, orchestrator: orchestrator, host: "127.0.0.1", port: 0, logger: logger,
                        onServerRunning: $0)
                }) { port in
                    await simulator.state.target(url: "http://127.0.0.1:\(port)/webhooks/github/acme", secret: secret)
                    await buildkite.state.target(
                        url: "http://127.0.0.1:\(port)/webhooks/buildkite/globex", secret: BuildkiteIngressTests.secret)
                    return try await body(
                        Harness(
                            port: port, simulator: simulator, buildkite: buildkite, orchestrator: orchestrator,
                            storeRoot: storeRoot))
                }
            }
        }
    }

    struct GitHubFile: Decodable {
        var filename: String
        var status: String
        var patch: String?
    }

    /// A logger that only speaks of what is critical, for the servers tests start.
    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    /// The GitHub simulator as acme's GitHub, serving the demo PR's files (for PR `pullNumber`; 0: any).
    static func simulatorOptions(pullNumber: Int = 42, jobDuration: Duration) throws -> GitHubSimulator.Options {
        let files = try JSONDecoder().decode([GitHubFile].self, from: fixture("demo/files.json")).map {
            ChangedFile(path: $0.filename, status: $0.status, patch: $0.patch)
        }
        return GitHubSimulator.Options(
            token: token, owner: "acme", repo: "shop", pullNumber: pullNumber, files: files, webhookURL: "",
            webhookSecret: secret,
            jobDuration: jobDuration)
    }

    struct Reply {
        var status: Int
        var body: [String: Any]
    }

    /// Posts `body` as a GitHub delivery, signed with `secret` unless a signature is given.
    func deliver(
        _ body: Data, event: String, path: String = "/webhooks/github/acme", delivery: String = UUID().uuidString,
        secret: String = Harness.secret, signature: String? = nil, extraHeaders: [String: String] = [:]
    ) async throws -> Reply {
        var headers = ["X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "Content-Type": "application/json"]
        headers["X-Hub-Signature-256"] = signature ?? "sha256=" + Hex.encode(HMAC.sha256(key: Array(secret.utf8), body))
        for (name, value) in extraHeaders { headers[name] = value }
        return try await request("POST", path, body: body, headers: headers)
    }

    func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]) async throws
        -> Reply
    {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        for (name, value) in headers where !value.isEmpty { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: object)
    }

    /// One `POST /timer` with the timer's token.
    @discardableResult
    func tick() async throws -> Reply {
        try await request("POST", "/timer", headers: ["Authorization": "Bearer \(Harness.timerToken)"])
    }

    /// Ticks through `POST /timer` until the workflow is done (retries and lost webhooks need the timer).
    func ticked(
        _ workflow: String, tenant: String = "acme", timeout: Duration = .seconds(120),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Document<Run> {
        let done = try await poll(every: .milliseconds(100), timeout: timeout) { () async throws -> Document<Run>? in
            if let (document, _) = try await engine.load(tenant: tenant, id: workflow), document.state.phase == .done {
                return document
            }
            _ = try await tick()
            return nil
        }
        if let done { return done }
        Issue.record("workflow \(workflow) did not finish", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// Waits until the workflow is done, or fails the test after `timeout`.
    func finished(
        _ workflow: String, tenant: String = "acme", timeout: Duration = .seconds(120),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Document<Run> {
        // Effects an event's handler left once its time budget ran out are the timer's to run, as
        // in a deployment: a workflow that has not moved for a few seconds gets a tick.
        let idle = Mutex((version: "", since: ContinuousClock.now))
        let done = try await poll(timeout: timeout) { () async throws -> Document<Run>? in
            guard let (document, version) = try await engine.load(tenant: tenant, id: workflow) else { return nil }
            if document.state.phase == .done { return document }
            let stalled = idle.withLock { idle in
                let now = ContinuousClock.now
                if idle.version != version.value { idle = (version.value, now) }
                guard now - idle.since > .seconds(3) else { return false }
                idle.since = now
                return true
            }
            if stalled {
                _ = try await tick()
            }
            return nil
        }
        if let done { return done }
        let last = try await engine.load(tenant: tenant, id: workflow)?.0
        let tail = (last?.history.suffix(6).map(\.event) ?? []).joined(separator: " | ")
        let outbox = (last?.outbox.map { "\($0.key): \($0.lastError ?? "")" } ?? []).joined(separator: " | ")
        Issue.record(
            "workflow \(workflow) did not finish: \(last?.state.status.rawValue ?? "missing"); last: \(tail); outbox: \(outbox)",
            sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// Every file under the store with its bytes: to show a rejected request changed nothing.
    func snapshot() -> [String: Data] {
        var files: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: storeRoot) else { return files }
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = "\(storeRoot)/\(path)"
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = FileManager.default.contents(atPath: full)
            }
        }
        return files
    }
}

/// Reads a file of the project's `fixtures/` folder, found from this source file.
func fixture(_ relative: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Data {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let path = root.appendingPathComponent("fixtures").appendingPathComponent(relative).path
    return try #require(
        FileManager.default.contents(atPath: path), "missing fixture \(relative)", sourceLocation: sourceLocation)
}
