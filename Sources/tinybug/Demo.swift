import ArgumentParser
import Engine
import Foundation
import FunctionRuntime
import Hashing
import Logging
import Orchestration
import Simulators
import Workflow

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a whole measurement on embedded defaults: a sample PR against a built-in GitHub simulator.")

    @Option(help: "Seconds to wait for the measurement before giving up.")
    var timeout: Int = 60

    @Option(help: "Seconds to keep serving afterwards, so the workflow's page can be opened (0 to exit at once).")
    var serveSeconds: Int = 60

    static let tenant = "demo"
    static let secret = "demo-webhook-secret"
    static let token = "demo-github-token"
    static let apiToken = "demo-api-token"

    func run() async throws {
        var logger = Logger(label: "tinybug.demo")
        logger.logLevel = .error
        let files = try JSONDecoder().decode([GitHubFile].self, from: Fixtures.data("demo/files.json")).map {
            ChangedFile(path: $0.filename, status: $0.status, patch: $0.patch)
        }
        let pullRequest = try Fixtures.data("demo/pull_request.opened.json")
        let storeRoot = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tinybug-demo-\(UUID().uuidString.prefix(8))"
        ).path
        var options = GitHubSimulator.Options(
            token: Self.token, owner: "acme", repo: "shop", pullNumber: 42, files: files, webhookURL: "",
            webhookSecret: Self.secret, jobDuration: .milliseconds(150), outcome: Self.outcome)
        // Tests behind the runs: a flaky one, a broken one, and lines no test runs.
        options.world = TestWorld(files: files)
        let simulator = GitHubSimulator(options: options)
        let completed = try await LoopbackServer.withRunning({
            simulator.application(logger: logger, onServerRunning: $0)
        }) { githubPort in
            let orchestrator = Orchestrator(
                engine: Engine<Run>(store: try FileStore(root: storeRoot), clock: SystemClock(), logger: logger),
                tenants: Tenants([Self.demoTenant]), endpoints: Endpoints(github: "http://127.0.0.1:\(githubPort)"),
                timerToken: nil, logger: logger)
            let ticker = Ticker(orchestrator: orchestrator, interval: .milliseconds(250))
            return try await LoopbackServer.withRunning({
                FunctionApp.build(
                    .all, orchestrator: orchestrator, host: "127.0.0.1", port: 0, logger: logger, services: [ticker],
                    onServerRunning: $0)
            }) { port in
                await simulator.state.target(
                    url: "http://127.0.0.1:\(port)/webhooks/github/\(Self.tenant)", secret: Self.secret)
                print(
                    "tinybug demo: serving on http://127.0.0.1:\(port), GitHub simulated on http://127.0.0.1:\(githubPort)"
                )
                print("store: \(storeRoot)\n")
                let workflow = try await Self.sendPullRequest(pullRequest, port: port)
                print("pull request acme/shop#42 opened → workflow \(workflow)\n")
                let watcher = ProgressPrinter(engine: orchestrator.engine, tenant: Self.tenant, workflow: workflow)
                guard let document = try await watcher.follow(timeout: .seconds(timeout)) else { return false }
                await Self.printResult(document, simulator: simulator, storeRoot: storeRoot)
                if serveSeconds > 0 {
                    print(
                        "\nthe workflow's page: http://127.0.0.1:\(port)/ui/tenants/\(Self.tenant)/workflows/\(workflow)"
                    )
                    print("(any user name, password \(Self.apiToken)); serving for \(serveSeconds) s, Ctrl-C to stop")
                    try await Task.sleep(for: .seconds(serveSeconds))
                }
                return document.state.outcome == .scored
            }
        }
        if !completed { throw ExitCode.failure }
    }

    static var demoTenant: Tenant {
        Tenant(
            id: tenant, githubWebhookSecret: Secret(secret), githubToken: Secret(token), apiToken: Secret(apiToken),
            settings: Settings(
                maxMutants: 12, maxConcurrentJobs: 4, jobTimeoutSeconds: 60, maxAttempts: 3, retryBaseSeconds: 1,
                threshold: 0.6))
    }

    /// The simulator's usual outcomes, except that mutant m1's first run is cancelled, to show a retry.
    @Sendable static func outcome(job: String, mutant: GitHubSimulator.MutantInput?) -> String? {
        job.hasSuffix("/m1/1") ? "cancelled" : GitHubSimulator.defaultOutcome(job: job, mutant: mutant)
    }

    struct GitHubFile: Decodable {
        var filename: String
        var status: String
        var patch: String?
    }
}
