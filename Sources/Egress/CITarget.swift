import Hashing

/// Where a tenant's effects go: GitHub for check runs and PR files, and the CI that runs the jobs.
public struct CITarget: Sendable {
    public var githubAPI: String
    public var githubAuth: GitHubAuth
    /// The tenant's CI, given the GitHub client of this effect (GitHub Actions runs through it)
    /// and the shared clients.
    public var service: @Sendable (GitHubClient, RESTClientPool) -> any CIService

    public init(
        githubAPI: String, githubAuth: GitHubAuth,
        service: @escaping @Sendable (GitHubClient, RESTClientPool) -> any CIService
    ) {
        self.githubAPI = githubAPI
        self.githubAuth = githubAuth
        self.service = service
    }
}
