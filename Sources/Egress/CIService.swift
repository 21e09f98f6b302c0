import Foundation
import Workflow

/// What Tinybug asks of a CI system, for one job key. Every call looks before it creates.
public protocol CIService: Sendable {
    /// Starts the job (the baseline, a mutant, or a batch of mutants) unless (with `lookFirst`) a run
    /// carrying its key exists; returns the run's id and URL.
    func dispatch(_ job: JobKey, _ pr: PullRequest, mutant: Mutant?, batch: [Mutant]?, lookFirst: Bool)
        async throws(RESTError) -> (Int64?, String?)
    func cancel(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError)
    /// For a failed run: true if its tests failed, false if the mutant could not be applied.
    func testsFailed(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> Bool
    /// A finished run's results: its artifact's tests and coverage (kept for `paths`) and, with
    /// `readSteps`, whether its mutant applied.
    func results(_ job: JobKey, _ pr: PullRequest, runID: Int64?, readSteps: Bool, paths: [String]?)
        async throws(RESTError) -> RunResults
    /// How the run ended, or nil while it runs (or when no run carries the key).
    func conclusion(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> CIConclusion?
}

/// Jobs as GitHub Actions `workflow_dispatch` runs, told apart by their `run-name` (display title).
public struct GitHubActionsService: CIService {
    let client: GitHubClient
    let workflow: String
    let ref: String

    public init(client: GitHubClient, workflow: String, ref: String) {
        self.client = client
        self.workflow = workflow
        self.ref = ref
    }

    func runID(_ job: JobKey, _ pr: PullRequest, _ known: Int64?) async throws(RESTError) -> Int64? {
        if let known { return known }
        return try await client.findRun(pr, workflow: workflow, title: CIContract.title(job))?.id
    }

    public func dispatch(_ job: JobKey, _ pr: PullRequest, mutant: Mutant?, batch: [Mutant]?, lookFirst: Bool)
        async throws(RESTError) -> (Int64?, String?)
    {
        if lookFirst, let existing = try await client.findRun(pr, workflow: workflow, title: CIContract.title(job)) {
            return (existing.id, existing.url)
        }
        let inputs = DispatchInputs.inputs(job: job, pr: pr, mutant: mutant, batch: batch)
        return try await client.dispatch(pr, workflow: workflow, ref: ref, inputs: inputs)
    }

    public func cancel(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) {
        if let id = try await self.runID(job, pr, runID) { try await client.cancelRun(pr, runID: id) }
    }

    public func testsFailed(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> Bool {
        guard let id = try await self.runID(job, pr, runID) else { return true }
        return try await !client.applyStepFailed(pr, runID: id)
    }

    public func results(_ job: JobKey, _ pr: PullRequest, runID: Int64?, readSteps: Bool, paths: [String]?)
        async throws(RESTError) -> RunResults
    {
        guard let id = try await self.runID(job, pr, runID) else { return RunResults(note: "no run carries \(job)") }
        if readSteps, try await client.applyStepFailed(pr, runID: id) {
            return RunResults(applied: false, note: Run.didNotApply)
        }
        return try await client.results(pr, runID: id, paths: paths)
    }

    public func conclusion(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> CIConclusion? {
        guard let id = try await self.runID(job, pr, runID) else { return nil }
        return try await client.runConclusion(pr, runID: id).map { CIProvider.githubActions.conclusion($0) }
    }
}

/// The inputs (or meta-data) a dispatch carries, in CONTRACT.md's words.
public enum DispatchInputs {
    /// The job key, the mutant (empty for the baseline and for a batch) and the head SHA the job
    /// checks out; for a batch also its mutants and their time limit.
    public static func inputs(job: JobKey, pr: PullRequest, mutant: Mutant?, batch: [Mutant]? = nil) -> [String:
        String]
    {
        var inputs = [
            CIContract.Input.job: job.description, CIContract.Input.mutant: mutant.map(encode) ?? "",
            CIContract.Input.sha: pr.headSHA,
        ]
        if let batch {
            inputs[CIContract.Input.mutants] = encode(batch)
            inputs[CIContract.Input.mutantTimeout] = batch.compactMap(\.timeout).max().map(String.init) ?? ""
        }
        return inputs
    }

    /// A mutant as it travels: `path`, `line`, `original`, `replacement`, `operator`, and its `id`
    /// and time limit when known.
    struct Wire: Encodable {
        var id: Int?
        var path: String
        var line: Int
        var original: String
        var replacement: String
        var `operator`: String
        var timeout: Int?

        init(_ mutant: Mutant, id: Bool) {
            self.id = id ? mutant.id : nil
            path = mutant.path
            line = mutant.line
            original = mutant.original
            replacement = mutant.replacement
            self.operator = mutant.operator.rawValue
            timeout = mutant.timeout
        }
    }

    /// A mutant as base64 of its JSON: `path`, `line`, `original`, `replacement`, `operator`.
    public static func encode(_ mutant: Mutant) -> String { base64(Wire(mutant, id: false)) }

    /// A batch's mutants as base64 of a JSON array, each with its `id`.
    public static func encode(_ batch: [Mutant]) -> String { base64(batch.map { Wire($0, id: true) }) }

    private static func base64(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and Ints always encode.
        let data = (try? encoder.encode(value)) ?? Data()
        return data.base64EncodedString()
    }
}
