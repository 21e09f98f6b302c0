import Hashing

/// Where a tenant's effects go: GitHub for check runs and PR files, and the CI that runs the jobs.
public struct CITarget: Sendable {
    public var githubAPI: String
    public var githubAuth: GitHubAuth
    public var backend: CIBackend

    public init(githubAPI: String, githubAuth: GitHubAuth, backend: CIBackend) {
        self.githubAPI = githubAPI
        self.githubAuth = githubAuth
        self.backend = backend
    }
}

/// The CI system that runs a tenant's jobs.
public enum CIBackend: Sendable {
    /// A `workflow_dispatch` workflow file, taken from branch `ref`; the job checks out the PR's head itself.
    case githubActions(workflow: String, ref: String)
    case buildkite(apiURL: String, organization: String, pipeline: String, token: Secret)
}
