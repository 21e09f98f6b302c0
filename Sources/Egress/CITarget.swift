import Hashing

/// Where and how a tenant's CI runs and its check runs are reported.
public struct CITarget: Sendable {
    public var githubAPI: String
    public var githubToken: Secret
    /// The workflow file dispatched for each job, `tinybug-mutant.yml`.
    public var workflow: String
    /// The branch the workflow file is taken from; the job checks out the PR's head itself.
    public var ref: String

    public init(githubAPI: String, githubToken: Secret, workflow: String, ref: String) {
        self.githubAPI = githubAPI
        self.githubToken = githubToken
        self.workflow = workflow
        self.ref = ref
    }
}
