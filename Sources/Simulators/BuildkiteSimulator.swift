import Foundation
import FoundationNetworking
import HTTPTypes
import Hashing
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Workflow

/// A loopback server that speaks the parts of Buildkite's REST API Tinybug calls: create, find,
/// read and cancel builds. It "runs" each build and posts a signed `build.finished` webhook back.
public struct BuildkiteSimulator: Sendable {
    public struct Options: Sendable {
        public var token: String
        public var organization: String
        public var pipeline: String
        public var jobDuration: Duration
        /// The final state of a build (`passed`, `failed`, `canceled`…, or `apply-failed`); nil drops its webhook.
        public var outcome: @Sendable (_ job: String, _ mutant: GitHubSimulator.MutantInput?) -> String?
        /// The tests behind the builds: when set, each build's state and artifacts come from it.
        public var world: TestWorld? = nil
        /// How artifacts are served (replaced, or declared larger, for bad-input tests).
        public var artifacts = ArtifactServing()

        public init(
            token: String, organization: String, pipeline: String, jobDuration: Duration = .milliseconds(50),
            outcome: @escaping @Sendable (String, GitHubSimulator.MutantInput?) -> String? = BuildkiteSimulator
                .defaultOutcome
        ) {
            self.token = token
            self.organization = organization
            self.pipeline = pipeline
            self.jobDuration = jobDuration
            self.outcome = outcome
        }
    }

    public let options: Options
    public let state = SimulatorState()
    let queue: AsyncStream<BackgroundWork>
    let enqueue: AsyncStream<BackgroundWork>.Continuation

    public init(options: Options) {
        self.options = options
        (queue, enqueue) = AsyncStream<BackgroundWork>.makeStream()
    }

    /// GitHub's default outcome in Buildkite's words.
    public static func defaultOutcome(job: String, mutant: GitHubSimulator.MutantInput?) -> String? {
        GitHubSimulator.defaultOutcome(job: job, mutant: mutant) == "failure" ? "failed" : "passed"
    }

    public func application(logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void)
        -> some ApplicationProtocol
    {
        let router = Router()
        addStorage(router)
        router.add(middleware: AuthMiddleware(token: options.token, state: state))
        addBuilds(router)
        addArtifacts(router)
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "buildkite-simulator"),
            services: [
                JobRunner(queue: queue, duration: options.jobDuration) { item in
                    switch item {
                    case .run(let id): await finish(id)
                    case .webhook(let run): await deliver(run)
                    case .redeliver: break
                    }
                }
            ],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    struct CreateBody: Decodable {
        var commit: String
        var branch: String
        var message: String?
        var meta_data: [String: String]?
        var env: [String: String]?
    }

    struct JobJSON: Codable {
        var id: String
        var type = "script"
        var name: String
        var step_key: String
        var state: String
        var exit_status: Int?
    }
    struct BuildJSON: Codable {
        var id: String
        var number: Int64
        var state: String
        var web_url: String
        var commit: String
        var branch: String
        var message: String
        var meta_data: [String: String]
        var jobs: [JobJSON]
    }

    func json(_ run: SimulatedRun) -> BuildJSON {
        let done = run.status == "completed"
        let state = run.conclusion ?? (done ? "passed" : run.status)
        let apply = run.applyFailed ? "failed" : done || run.status == "running" ? "passed" : "scheduled"
        let tests = run.applyFailed ? "broken" : state
        return BuildJSON(
            id: "build-\(run.id)", number: run.id, state: state,
            web_url: "https://buildkite.com/\(options.organization)/\(options.pipeline)/builds/\(run.id)",
            commit: run.headSHA,
            branch: run.workflow, message: run.title, meta_data: run.inputs,
            jobs: [
                JobJSON(
                    id: "job-\(run.id)-1", name: ":mag: apply mutant", step_key: CIProvider.buildkite.applyStep,
                    state: apply, exit_status: run.applyFailed ? 3 : 0),
                JobJSON(
                    id: "job-\(run.id)-2", name: ":test_tube: run tests", step_key: "run-tests", state: tests,
                    exit_status: state == "failed" ? 1 : 0),
            ])
    }

    func addBuilds(_ router: Router<BasicRequestContext>) {
        let builds = "/v2/organizations/{org}/pipelines/{pipeline}/builds"
        router.post(RouterPath(builds)) { request, _ in
            let body = try await GitHubSimulator.decode(CreateBody.self, request)
            let id = await state.newID()
            let run = SimulatedRun(
                id: id, owner: options.organization, repo: options.pipeline, workflow: body.branch,
                title: body.message ?? "", inputs: body.meta_data ?? [:], status: "scheduled", conclusion: nil,
                headSHA: body.commit)
            await state.addRun(run)
            enqueue.yield(.run(id))
            return GitHubSimulator.json(json(run), status: .created)
        }
        router.get(RouterPath(builds)) { request, _ in
            let wanted = request.uri.queryParameters.first {
                String($0.key).removingPercentEncoding == "meta_data[\(CIContract.Input.job)]"
            }
            .map { String($0.value).removingPercentEncoding ?? String($0.value) }
            let runs = await state.runs.filter { wanted == nil || $0.inputs[CIContract.Input.job] == wanted }
            return GitHubSimulator.json(runs.reversed().map(json))
        }
        router.get(RouterPath(builds + "/{number}")) { _, context in
            guard let number = context.parameters.get("number", as: Int64.self), let run = await state.run(number)
            else {
                return GitHubSimulator.json(["message": "No build found"], status: .notFound)
            }
            return GitHubSimulator.json(json(run))
        }
        router.put(RouterPath(builds + "/{number}/cancel")) { _, context in
            guard let number = context.parameters.get("number", as: Int64.self), let run = await state.run(number)
            else {
                return GitHubSimulator.json(["message": "No build found"], status: .notFound)
            }
            guard let finished = await state.finish(run.id, conclusion: "canceled") else {
                return GitHubSimulator.json(
                    ["message": "Build can't be canceled because it's already finished"], status: .unprocessableContent)
            }
            enqueue.yield(.webhook(finished))
            return GitHubSimulator.json(json(finished))
        }
    }

    /// Posts `build.finished`, signed `timestamp=…,signature=…` over `timestamp.body`, as Buildkite does.
    func deliver(_ run: SimulatedRun) async {
        guard let target = await state.webhookTarget, let url = URL(string: target.url) else { return }
        struct Payload: Encodable {
            var event = "build.finished"
            var build: BuildJSON
            var sender = ["id": "sim", "name": "Buildkite simulator"]
        }
        let body = (try? JSONEncoder().encode(Payload(build: json(run)))) ?? Data()
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("build.finished", forHTTPHeaderField: "X-Buildkite-Event")
        let timestamp = Int64(Date().timeIntervalSince1970)
        let mac = HMAC.sha256(key: Array(target.secret.utf8), Array("\(timestamp).".utf8) + Array(body))
        request.setValue(
            "timestamp=\(timestamp),signature=\(Hex.encode(mac))", forHTTPHeaderField: "X-Buildkite-Signature")
        let sent = (try? await URLSession.shared.data(for: request)) != nil
        await state.countWebhook(sent: sent)
    }
}

extension BuildkiteSimulator {
    /// Finishes a build as Buildkite would: its state, then the signed `build.finished` webhook.
    func finish(_ id: Int64) async {
        guard let run = await state.run(id), run.status != "completed" else { return }
        let job = run.inputs[CIContract.Input.job] ?? ""
        if let members = BatchRuns.members(run.inputs) { return await finishBatch(run, job: job, members: members) }
        let mutant = run.inputs[CIContract.Input.mutant].flatMap(GitHubSimulator.decodeMutant)
        let outcome = options.outcome(job, mutant)
        var buildState = outcome == "apply-failed" ? "failed" : outcome ?? "passed"
        if let world = options.world, outcome == "passed" || outcome == "failed" {
            let result = world.run(job: job, mutant: mutant)
            buildState = result.failed ? "failed" : "passed"
            await state.setArtifact(id, result.files)
        }
        guard let finished = await state.finish(id, conclusion: buildState, applyFailed: outcome == "apply-failed")
        else { return }
        if outcome == nil {
            await state.countWebhook(sent: false)
            return
        }
        await deliver(finished)
    }
}

extension BuildkiteSimulator {
    /// Finishes a batch's build: `passed` unless the outcome for the build is about the
    /// infrastructure; each mutant's own outcome is in its artifacts.
    func finishBatch(_ run: SimulatedRun, job: String, members: [GitHubSimulator.MutantInput]) async {
        let ending = BatchRuns.ending(
            job: job, members: members, world: options.world, passing: "passed", outcome: options.outcome)
        if let artifact = ending.artifact { await state.setArtifact(run.id, artifact) }
        guard let finished = await state.finish(run.id, conclusion: ending.conclusion) else { return }
        if !ending.sendsWebhook {
            await state.countWebhook(sent: false)
            return
        }
        await deliver(finished)
    }
}
