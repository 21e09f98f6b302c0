import Foundation
import Workflow

/// What Tinybug asks of a CI system, for one job key. Every call looks before it creates.
protocol CIRuns: Sendable {
    /// Starts the job unless (with `lookFirst`) a run carrying its key exists; returns the run's id and URL.
    func dispatch(_ job: JobKey, _ pr: PullRequest, mutant: Mutant?, lookFirst: Bool) async throws(RESTError) -> (Int64?, String?)
    func cancel(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError)
    /// For a failed run: true if its tests failed, false if the mutant could not be applied.
    func testsFailed(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> Bool
    /// How the run ended, or nil while it runs (or when no run carries the key).
    func conclusion(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> CIConclusion?
}

/// Jobs as GitHub Actions `workflow_dispatch` runs, told apart by their `run-name` (display title).
struct GitHubActionsRuns: CIRuns {
    let client: GitHubClient
    let workflow: String
    let ref: String

    func title(_ job: JobKey) -> String { "tinybug \(job)" }

    func runID(_ job: JobKey, _ pr: PullRequest, _ known: Int64?) async throws(RESTError) -> Int64? {
        if let known { return known }
        return try await client.findRun(pr, workflow: workflow, title: title(job))?.id
    }

    func dispatch(_ job: JobKey, _ pr: PullRequest, mutant: Mutant?, lookFirst: Bool) async throws(RESTError) -> (Int64?, String?) {
        if lookFirst, let existing = try await client.findRun(pr, workflow: workflow, title: title(job)) { return (existing.id, existing.url) }
        let inputs = CIExecutor.inputs(job: job, pr: pr, mutant: mutant)
        return try await client.dispatch(pr, workflow: workflow, ref: ref, inputs: inputs)
    }

    func cancel(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) {
        if let id = try await self.runID(job, pr, runID) { try await client.cancelRun(pr, runID: id) }
    }

    func testsFailed(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> Bool {
        guard let id = try await self.runID(job, pr, runID) else { return true }
        return try await !client.applyStepFailed(pr, runID: id)
    }

    func conclusion(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> CIConclusion? {
        guard let id = try await self.runID(job, pr, runID) else { return nil }
        return try await client.runConclusion(pr, runID: id).map { CIConclusion(gitHub: $0) }
    }
}

/// Jobs as Buildkite builds, told apart by `meta_data.tinybug_job`. Build numbers serve as run ids.
struct BuildkiteRuns: CIRuns {
    let client: BuildkiteClient

    func build(_ job: JobKey, _ number: Int64?) async throws(RESTError) -> BuildkiteClient.Build? {
        if let number { return try await client.build(number: number) }
        return try await client.findBuild(job: job)
    }

    func dispatch(_ job: JobKey, _ pr: PullRequest, mutant: Mutant?, lookFirst: Bool) async throws(RESTError) -> (Int64?, String?) {
        if lookFirst, let existing = try await client.findBuild(job: job) { return (existing.number, existing.web_url) }
        let build = try await client.createBuild(pr, job: job, mutant: mutant.map(CIExecutor.encode) ?? "")
        return (build.number, build.web_url)
    }

    func cancel(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) {
        let number: Int64?
        if let runID { number = runID } else { number = try await client.findBuild(job: job)?.number }
        if let number { try await client.cancel(number: number) }
    }

    func testsFailed(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> Bool {
        guard let build = try await build(job, runID) else { return true }
        return !(build.jobs ?? []).contains { $0.step_key == BuildkiteClient.applyStepKey && $0.state == "failed" }
    }

    func conclusion(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> CIConclusion? {
        guard let build = try await build(job, runID), BuildkiteClient.isFinished(build.state) else { return nil }
        return CIConclusion(buildkite: build.state)
    }
}
