import Engine
import Foundation
import Hashing
import Logging
import Workflow

/// Carries out every effect of a workflow: check runs and PR files on GitHub, jobs on the tenant's CI. Each effect looks for what it would create before creating it,
/// so running it twice does it once.
public struct EffectRunner: EffectExecutor {
    public typealias State = Run
    let targets: @Sendable (String) -> CITarget?
    let tokens: InstallationTokens
    let clients: RESTClientPool
    private(set) var logger: Logger

    /// - Parameter targets: the CI target of a tenant, by tenant id.
    public init(
        logger: Logger, tokens: InstallationTokens = InstallationTokens(), clients: RESTClientPool = RESTClientPool(),
        targets: @escaping @Sendable (String) -> CITarget?
    ) {
        self.targets = targets
        self.tokens = tokens
        self.clients = clients
        self.logger = logger
    }

    /// This runner, logging with `logger` (a request's, which carries its id).
    public func with(logger: Logger) -> EffectRunner {
        var copy = self
        copy.logger = logger
        return copy
    }

    public func execute(_ effect: Workflow.Effect, tenant: String, workflow: String, lease: EffectLease) async
        -> EffectResult<
            Workflow.Event
        >
    {
        guard let target = targets(tenant) else {
            return .retry(afterSeconds: 60, reason: "tenant \(tenant) is not configured")
        }
        do {
            let token = try await tokens.token(for: target.githubAuth, apiURL: target.githubAPI)
            let github = GitHubClient(
                rest: clients.client(target.githubAPI, token: token, headers: GitHubClient.headers))
            return .completed(
                try await perform(effect, github: github, runs: target.service(github, clients), rerun: lease.rerun))
        } catch {
            return Self.outcome(of: error, effect: effect)
        }
    }

    /// The tenant's GitHub credential: its token, or the App's installation token (nil: neither).
    public func githubToken(tenant: String) async throws(RESTError) -> Secret? {
        guard let target = targets(tenant) else { return nil }
        return try await tokens.token(for: target.githubAuth, apiURL: target.githubAPI)
    }

    /// The PR's current head at GitHub, asked with the tenant's credentials (nil: not configured).
    public func pullRequestHead(_ pr: PullRequest, tenant: String) async throws(RESTError) -> String? {
        guard let target = targets(tenant) else { return nil }
        let token = try await tokens.token(for: target.githubAuth, apiURL: target.githubAPI)
        let github = GitHubClient(rest: clients.client(target.githubAPI, token: token, headers: GitHubClient.headers))
        return try await github.pullRequestHead(pr)
    }

    /// Files' text at the PR's head, asked with the tenant's credentials; a file GitHub does not
    /// serve as text (or that is gone) is left out.
    public func fileContents(_ pr: PullRequest, paths: [String], tenant: String) async throws(RESTError) -> [String:
        String]
    {
        guard let target = targets(tenant) else { return [:] }
        let token = try await tokens.token(for: target.githubAuth, apiURL: target.githubAPI)
        let github = GitHubClient(rest: clients.client(target.githubAPI, token: token, headers: GitHubClient.headers))
        var files: [String: String] = [:]
        for path in paths {
            do {
                if let text = try await github.contents(pr, path: path) { files[path] = text }
            } catch .status(404, _, _) {
                continue
            }
        }
        return files
    }

    private func perform(_ effect: Workflow.Effect, github: GitHubClient, runs: any CIService, rerun: Bool)
        async throws(RESTError)
        -> Workflow.Event
    {
        switch effect {
        case .createCheckRun(let pr, let workflow):
            let id =
                rerun
                ? try await github.ensureCheckRun(pr, workflow: workflow)
                : try await github.createCheckRun(pr, workflow: workflow)
            return .checkRunCreated(id: id)
        case .listFiles(let pr, _):
            return .filesListed(try await withSources(github.listFiles(pr), pr, github))
        case .dispatch(let job, let pr, let mutant, let batch):
            let (runID, url) = try await runs.dispatch(job, pr, mutant: mutant, batch: batch, lookFirst: rerun)
            return .dispatched(job, ciRunID: runID, url: url)
        case .cancel(let job, let pr, let runID, _):
            try await runs.cancel(job, pr, runID: runID)
            return .cancelled(job)
        case .releaseSlot(let job, _):
            // Tenant slots live in the store; the gate in front of this executor frees them.
            return .slotReleased(job)
        case .inspect(let job, let pr, let runID):
            let failed = try await runs.testsFailed(job, pr, runID: runID)
            return .inspected(
                job, testsFailed: failed, reason: failed ? "the tests failed" : "the mutant did not apply")
        case .readResults(let job, let pr, let runID, let readSteps, let paths):
            return .resultsRead(
                job, try await runs.results(job, pr, runID: runID, readSteps: readSteps, paths: paths))
        case .poll(let job, let pr, let runID):
            return .polled(job, try await runs.conclusion(job, pr, runID: runID))
        case .completeCheckRun(let pr, let workflow, let checkRunID, let report):
            var id = checkRunID
            if id == nil { id = try await github.ensureCheckRun(pr, workflow: workflow) }
            guard let id else { return .reported }
            try await github.completeCheckRun(pr, id: id, report: report)
            return .reported
        }
    }
}

extension EffectRunner {
    /// The files whose patch cannot tell whether a hunk starts inside a multi-line string or
    /// comment, with their text at the head (at most 50 of them; one GitHub does not serve stays
    /// without, and the planner reads such a hunk both ways).
    func withSources(_ files: [ChangedFile], _ pr: PullRequest, _ github: GitHubClient) async throws(RESTError)
        -> [ChangedFile]
    {
        var result = files
        var fetched = 0
        for index in result.indices where fetched < 50 && MutantPlanner.needsSource(result[index]) {
            fetched += 1
            do {
                result[index].source = try await github.contents(pr, path: result[index].path)
            } catch .status(404, _, _) {
                continue
            }
        }
        return result
    }

    /// Rate limits wait for the time GitHub names; server errors and lost connections back off;
    /// a repository that is gone or refuses us ends the workflow, with the reason in its history.
    static func outcome(of error: RESTError, effect: Workflow.Effect) -> EffectResult<Workflow.Event> {
        switch error {
        case .status(let code, _, let retryAfter) where code == 403 || code == 429:
            if code == 403 && retryAfter == nil { return permanent(error, effect) }
            return .retry(afterSeconds: retryAfter ?? 60, reason: error.description)
        case .status(let code, _, _) where code == 401 || code == 404 || code == 422:
            return permanent(error, effect)
        case .status(_, _, let retryAfter):
            return .retry(afterSeconds: retryAfter, reason: error.description)
        case .transport, .decoding, .tooLarge:
            return .retry(afterSeconds: nil, reason: error.description)
        }
    }

    private static func permanent(_ error: RESTError, _ effect: Workflow.Effect) -> EffectResult<Workflow.Event> {
        switch effect {
        case .cancel(let job, _, _, _): .completed(.cancelled(job))
        case .inspect(let job, _, _):
            .completed(.inspected(job, testsFailed: true, reason: "the run could not be read"))
        case .readResults(let job, _, _, _, _):
            .completed(.resultsRead(job, RunResults(note: "the run could not be read: \(error)")))
        case .poll(let job, _, _): .completed(.polled(job, nil))
        default: .completed(.failed(reason: "GitHub refused to \(effect.summary): \(error)"))
        }
    }
}
