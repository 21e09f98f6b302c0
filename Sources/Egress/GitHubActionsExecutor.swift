import Engine
import Foundation
import Logging
import Workflow

/// Carries out a workflow's effects on GitHub: check runs, PR files, and CI jobs on GitHub Actions.
/// Each effect looks for what it would create before creating it, so running it twice does it once.
public struct GitHubActionsExecutor: EffectExecutor {
    public typealias State = Run
    let targets: @Sendable (String) -> CITarget?
    let logger: Logger

    /// - Parameter targets: the CI target of a tenant, by tenant id.
    public init(logger: Logger, targets: @escaping @Sendable (String) -> CITarget?) {
        self.targets = targets
        self.logger = logger
    }

    public func execute(_ effect: Workflow.Effect, tenant: String, workflow: String) async -> EffectResult<Workflow.Event> {
        guard let target = targets(tenant) else { return .retry(afterSeconds: 60, reason: "tenant \(tenant) is not configured") }
        let client = GitHubClient(apiURL: target.githubAPI, token: target.githubToken)
        do {
            return .completed(try await perform(effect, client: client, target: target))
        } catch {
            return Self.outcome(of: error, effect: effect)
        }
    }

    private func perform(_ effect: Workflow.Effect, client: GitHubClient, target: CITarget) async throws(RESTError)
        -> Workflow.Event
    {
        switch effect {
        case .createCheckRun(let pr, let workflow):
            return .checkRunCreated(id: try await client.ensureCheckRun(pr, workflow: workflow))
        case .listFiles(let pr, _):
            return .filesListed(try await client.listFiles(pr))
        case .dispatch(let job, let pr, let mutant):
            let title = "tinybug \(job)"
            if let existing = try await client.findRun(pr, workflow: target.workflow, title: title) {
                return .dispatched(job, ciRunID: existing.id, url: existing.url)
            }
            let inputs = Self.inputs(job: job, pr: pr, mutant: mutant)
            let (runID, url) = try await client.dispatch(pr, workflow: target.workflow, ref: target.ref, inputs: inputs)
            return .dispatched(job, ciRunID: runID, url: url)
        case .cancel(let job, let pr, let runID):
            var found = runID
            if found == nil { found = try await client.findRun(pr, workflow: target.workflow, title: "tinybug \(job)")?.id }
            if let found { try await client.cancelRun(pr, runID: found) }
            return .cancelled(job)
        case .completeCheckRun(let pr, let workflow, let checkRunID, let report):
            var id = checkRunID
            if id == nil { id = try await client.ensureCheckRun(pr, workflow: workflow) }
            guard let id else { return .reported }
            try await client.completeCheckRun(pr, id: id, report: report)
            return .reported
        }
    }

    /// The `workflow_dispatch` inputs of CONTRACT.md, plus the head SHA the job checks out.
    public static func inputs(job: JobKey, pr: PullRequest, mutant: Mutant?) -> [String: String] {
        ["tinybug_job": job.description, "tinybug_mutant": mutant.map(encode) ?? "", "tinybug_sha": pr.headSHA]
    }

    /// A mutant as base64 of its JSON: `path`, `line`, `original`, `replacement`, `operator`.
    public static func encode(_ mutant: Mutant) -> String {
        struct Wire: Encodable { var path: String; var line: Int; var original: String; var replacement: String; var `operator`: String }
        let wire = Wire(
            path: mutant.path, line: mutant.line, original: mutant.original, replacement: mutant.replacement,
            operator: mutant.operator.rawValue)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(wire)) ?? Data()).base64EncodedString()
    }

    /// Rate limits and server errors wait and retry; a repository that is gone or refuses us ends the workflow.
    static func outcome(of error: RESTError, effect: Workflow.Effect) -> EffectResult<Workflow.Event> {
        switch error {
        case .status(let code, _, let retryAfter) where code == 403 || code == 429:
            return .retry(afterSeconds: retryAfter ?? 60, reason: error.description)
        case .status(let code, _, _) where code == 401 || code == 404 || code == 422:
            if case .cancel(let job, _, _) = effect { return .completed(.cancelled(job)) }
            return .completed(.failed(reason: "GitHub refused \(effect.summary): \(error)"))
        case .status(_, _, let retryAfter):
            return .retry(afterSeconds: retryAfter ?? 15, reason: error.description)
        case .transport, .decoding:
            return .retry(afterSeconds: 15, reason: error.description)
        }
    }
}
