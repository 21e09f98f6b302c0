import Foundation
import Workflow

/// Reading a run after the fact: its state (for a lost webhook) and its jobs' steps (killed or not applied).
extension GitHubClient {
    struct RunState: Decodable {
        var id: Int64
        var status: String?
        var conclusion: String?
        var html_url: String?
    }

    /// A run's conclusion (`success`, `failure`, `cancelled`…) once it completed; nil while it runs.
    public func runConclusion(_ pr: PullRequest, runID: Int64) async throws(RESTError) -> String? {
        let run = try await rest.fetch(RunState.self, "GET", "\(Self.repository(pr))/actions/runs/\(runID)")
        guard let status = run.status, CIProvider.githubActions.isFinished(status) else { return nil }
        return run.conclusion ?? "no conclusion"
    }

    struct Step: Decodable {
        var name: String
        var conclusion: String?
    }
    struct Job: Decodable {
        var name: String
        var conclusion: String?
        var steps: [Step]?
    }
    struct Jobs: Decodable { var jobs: [Job] }

    /// Whether the mutant-applying step of a failed run failed (then the tests never ran on the mutant).
    public func applyStepFailed(_ pr: PullRequest, runID: Int64) async throws(RESTError) -> Bool {
        let jobs = try await rest.fetch(
            Jobs.self, "GET", "\(Self.repository(pr))/actions/runs/\(runID)/jobs?per_page=100")
        return jobs.jobs.flatMap { $0.steps ?? [] }.contains {
            $0.name.lowercased() == CIProvider.githubActions.applyStep && $0.conclusion == "failure"
        }
    }
}
