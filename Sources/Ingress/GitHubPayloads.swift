/// The parts of GitHub's webhook payloads Tinybug reads. Everything else is ignored, and only
/// what is needed is required, so real payloads with more fields (or nulls where allowed) decode.
struct GitHubOwner: Decodable { var login: String }

struct GitHubRepository: Decodable {
    var name: String
    var owner: GitHubOwner
}

struct GitHubInstallation: Decodable { var id: Int64 }

struct GitHubBranch: Decodable {
    var ref: String
    var sha: String
}

struct GitHubPullRequest: Decodable {
    var number: Int
    var title: String?
    var draft: Bool?
    var updated_at: String?
    var head: GitHubBranch
    var base: GitHubBranch
}

struct PullRequestPayload: Decodable {
    var action: String
    var pull_request: GitHubPullRequest
    var repository: GitHubRepository
    var installation: GitHubInstallation?
}

struct GitHubWorkflowRun: Decodable {
    var id: Int64
    var display_title: String?
    var status: String?
    var conclusion: String?
    var html_url: String?
    var head_sha: String?
}

struct WorkflowRunPayload: Decodable {
    var action: String
    var workflow_run: GitHubWorkflowRun
    var repository: GitHubRepository
    var installation: GitHubInstallation?
}

struct ActionOnly: Decodable {
    var action: String?
    var installation: GitHubInstallation?
}

struct GitHubCheckPullRequest: Decodable { var number: Int }

struct GitHubApp: Decodable { var id: Int64 }

struct GitHubCheckRun: Decodable {
    var id: Int64
    var name: String?
    var external_id: String?
    var head_sha: String
    var pull_requests: [GitHubCheckPullRequest]?
}

struct GitHubRequestedAction: Decodable { var identifier: String }

struct CheckRunPayload: Decodable {
    var action: String
    var check_run: GitHubCheckRun
    var requested_action: GitHubRequestedAction?
    var repository: GitHubRepository
    var installation: GitHubInstallation?
}

struct GitHubCheckSuite: Decodable {
    var id: Int64
    var head_sha: String
    var head_branch: String?
    var pull_requests: [GitHubCheckPullRequest]?
    var app: GitHubApp?
}

struct CheckSuitePayload: Decodable {
    var action: String
    var check_suite: GitHubCheckSuite
    var repository: GitHubRepository
    var installation: GitHubInstallation?
}
