import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Workflow

/// A loopback HTTP server that speaks the parts of GitHub's REST API Tinybug calls, "runs" each
/// dispatched job with a deterministic outcome, and posts a signed `workflow_run` webhook back.
/// The demo runs on it, and tests use it as GitHub.
public struct GitHubSimulator: Sendable {
    /// A mutant as it travels in the `tinybug_mutant` input, or in a batch's `tinybug_mutants`
    /// (with its `id`).
    public struct MutantInput: Codable, Sendable, Equatable {
        public var id: Int?
        public var path: String
        public var line: Int
        public var original: String
        public var replacement: String
        public var `operator`: String

        public init(id: Int? = nil, path: String, line: Int, original: String, replacement: String, operator: String) {
            self.id = id
            self.path = path
            self.line = line
            self.original = original
            self.replacement = replacement
            self.operator = `operator`
        }
    }

    /// What the simulator is told about the world.
    public struct Options: Sendable {
        public var token: String
        public var owner: String
        public var repo: String
        /// The PR whose files are served; 0 serves the same files for every PR (benchmarks).
        public var pullNumber: Int
        public var files: [ChangedFile]
        /// Where completion webhooks go, and the secret that signs them (both can be set later
        /// with `SimulatorState.target`, once the receiver's port is known).
        public var webhookURL: String
        public var webhookSecret: String
        /// How long a job "runs".
        public var jobDuration: Duration
        /// The conclusion of a run (`success`, `failure`, `cancelled`…, or `apply-failed`: a failure
        /// in the step that applies the mutant); nil to finish it as `success` and drop its webhook.
        public var outcome: @Sendable (_ job: String, _ mutant: MutantInput?) -> String?
        /// Runs whose completion webhook is lost (the run still finishes), by job key.
        public var dropWebhook: @Sendable (_ job: String) -> Bool = { _ in false }
        /// Behave like an older GitHub Enterprise Server that rejects `return_run_details` with 400.
        public var legacyDispatch = false
        /// PRs whose files answer 404 (a PR that is gone).
        public var missingPulls: Set<Int> = []
        /// How long every REST answer takes (a slow GitHub).
        public var latency: Duration = .zero
        /// Answer this many dispatches with 429 and `Retry-After: 7`, as a secondary rate limit does.
        public var rateLimitedDispatches = 0
        /// The tests behind the runs: when set, each run's conclusion and results artifact come
        /// from it (and `outcome` only decides whether its webhook is sent).
        public var world: TestWorld? = nil
        /// How artifacts are served (replaced, or declared larger, for bad-input tests).
        public var artifacts = ArtifactServing()
        /// Files' whole text at the head, by path, for the contents API (others are made up from
        /// their patch).
        public var sources: [String: String] = [:]
        /// The installation the repository's webhooks name (`installation.id`).
        public var installationID: Int64 = 42
        /// A GitHub App: REST calls then need an installation token from
        /// `POST /app/installations/{id}/access_tokens`, which needs a JWT signed by the app's key.
        public var app: (id: Int64, publicKey: String, installationID: Int64)? = nil

        public init(
            token: String, owner: String, repo: String, pullNumber: Int, files: [ChangedFile], webhookURL: String,
            webhookSecret: String, jobDuration: Duration = .milliseconds(50),
            outcome: @escaping @Sendable (_ job: String, _ mutant: MutantInput?) -> String? = GitHubSimulator
                .defaultOutcome
        ) {
            self.token = token
            self.owner = owner
            self.repo = repo
            self.pullNumber = pullNumber
            self.files = files
            self.webhookURL = webhookURL
            self.webhookSecret = webhookSecret
            self.jobDuration = jobDuration
            self.outcome = outcome
        }
    }

    public let options: Options
    public let state = SimulatorState()
    let completions: AsyncStream<BackgroundWork>
    let enqueue: AsyncStream<BackgroundWork>.Continuation

    public init(options: Options) {
        self.options = options
        (completions, enqueue) = AsyncStream<BackgroundWork>.makeStream()
    }

    /// The baseline passes; a mutant is killed or survives by a stable hash of where it is and what it does,
    /// about seven in ten killed.
    public static func defaultOutcome(job: String, mutant: MutantInput?) -> String? {
        guard let mutant else { return "success" }
        return TestWorld.hash("\(mutant.path):\(mutant.line):\(mutant.operator)") % 10 < 7 ? "failure" : "success"
    }

    /// The application; run it with `LoopbackServer.withRunning`.
    public func application(logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void)
        -> some ApplicationProtocol
    {
        let router = Router()
        addApp(router)
        addStorage(router)
        router.add(middleware: AuthMiddleware(token: options.token, state: state, latency: options.latency))
        addDeliveries(router, prefix: "/repos/{owner}/{repo}/hooks/{hook}") { _ in nil }
        addActions(router)
        addArtifacts(router)
        addPulls(router)
        addChecks(router)
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "github-simulator"),
            services: [JobRunner(queue: completions, duration: options.jobDuration) { await work($0) }],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        var request = request
        let body = try await request.collectBody(upTo: 10 * 1024 * 1024)
        do {
            return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
        } catch {
            throw HTTPError(.unprocessableContent, message: "invalid body: \(error)")
        }
    }
}

/// Refuses any request without the configured bearer token, as GitHub does (401 Bad credentials).
struct AuthMiddleware: RouterMiddleware {
    let token: String
    let state: SimulatorState
    var latency: Duration = .zero

    func handle(
        _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
    )
        async throws -> Response
    {
        await state.log("\(request.method) \(request.uri.path)")
        if latency > .zero { try await Task.sleep(for: latency) }
        let given = request.headers[.authorization] ?? ""
        let bearer =
            given.hasPrefix("Bearer ")
            ? String(given.dropFirst(7)) : given.hasPrefix("token ") ? String(given.dropFirst(6)) : ""
        guard bearer == token ? true : await state.isInstallationToken(bearer) else {
            return GitHubSimulator.json(["message": "Bad credentials"], status: .unauthorized)
        }
        return try await next(request, context)
    }
}
