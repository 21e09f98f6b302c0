import Workflow

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a GitHub delivery means to Tinybug.
public enum GitHubWebhook: Equatable, Sendable {
    case ping
    /// A PR event that starts, supersedes or ends a measurement.
    case pullRequest(PullRequestAction, PullRequest, installationID: Int64?, draft: Bool)
    /// A CI run finished. `job` is nil when the run is not one of ours.
    case workflowRunCompleted(job: JobKey?, CIConclusion, runID: Int64, url: String?, installationID: Int64?)
    /// The Re-run button or one of the buttons of a check run Tinybug made.
    case checkRun(CheckRunRequest, installationID: Int64?)
    /// "Re-run all checks" on a commit's check suite.
    case checkSuiteRerequested(CheckSuiteRequest, installationID: Int64?)
    /// A delivery Tinybug takes no action on (another event, or another action).
    case ignored(String)

    /// What a click on a check run asks for, and which check run it was.
    public struct CheckRunRequest: Equatable, Sendable {
        public enum Action: Equatable, Sendable {
            /// The Re-run button.
            case rerequested
            /// One of the check run's buttons, by its identifier.
            case requested(String)
        }

        public var action: Action
        public var checkRunID: Int64
        /// The check run's `external_id`: the workflow Tinybug made it for.
        public var externalID: String
        public var owner: String
        public var repo: String
        public var headSHA: String

        public init(action: Action, checkRunID: Int64, externalID: String, owner: String, repo: String, headSHA: String)
        {
            self.action = action
            self.checkRunID = checkRunID
            self.externalID = externalID
            self.owner = owner
            self.repo = repo
            self.headSHA = headSHA
        }
    }

    /// The commit whose checks were asked to run again, and its PRs.
    public struct CheckSuiteRequest: Equatable, Sendable {
        public var owner: String
        public var repo: String
        public var headSHA: String
        public var pullNumbers: [Int]
        /// The App whose suite it is.
        public var appID: Int64?
    }

    public enum PullRequestAction: String, Sendable {
        case opened, reopened, synchronize, closed
        case readyForReview = "ready_for_review"
    }

    /// The conclusions that mean the tests ran and passed or failed; every other one is an
    /// infrastructure outcome and is retried.
    public static func conclusion(_ text: String?) -> CIConclusion { CIProvider.githubActions.conclusion(text) }

    /// The job key a run carries in its `run-name` (`tinybug <key>`), if it is one of ours.
    public static func jobKey(fromTitle title: String?) -> JobKey? { CIContract.jobKey(fromTitle: title) }

    /// The events `decode` makes something of (`ping` aside): what a failed delivery worth asking
    /// for again can be.
    public static let takenEvents: Set<String> = ["pull_request", "workflow_run", "check_run", "check_suite"]

    /// Decodes a delivery of event type `event`. Call only after its signature was verified.
    public static func decode(event: String, body: Data) throws(PayloadError) -> GitHubWebhook {
        switch event {
        case "ping":
            return .ping
        case "pull_request":
            return try pullRequest(PayloadError.decode(PullRequestPayload.self, from: body))
        case "workflow_run":
            return try workflowRun(PayloadError.decode(WorkflowRunPayload.self, from: body))
        case "check_run":
            return try checkRun(PayloadError.decode(CheckRunPayload.self, from: body))
        case "check_suite":
            return try checkSuite(PayloadError.decode(CheckSuitePayload.self, from: body))
        default:
            return .ignored("event \(event)")
        }
    }

    private static func pullRequest(_ payload: PullRequestPayload) throws(PayloadError) -> GitHubWebhook {
        guard let action = PullRequestAction(rawValue: payload.action) else {
            return .ignored("pull_request \(payload.action)")
        }
        let pr = payload.pull_request
        guard isCommit(pr.head.sha) else {
            throw PayloadError(field: "pull_request.head.sha", problem: "is not a commit SHA")
        }
        try checkRepository(payload.repository)
        let request = PullRequest(
            owner: payload.repository.owner.login, repo: payload.repository.name, number: pr.number,
            headSHA: pr.head.sha.lowercased(), headRef: pr.head.ref, baseRef: pr.base.ref, title: pr.title ?? "",
            updatedAt: pr.updated_at)
        return .pullRequest(action, request, installationID: payload.installation?.id, draft: pr.draft ?? false)
    }

    /// Only Tinybug's own check runs (its name, an external id) are acted on: a repository webhook
    /// also brings every other App's.
    private static func checkRun(_ payload: CheckRunPayload) throws(PayloadError) -> GitHubWebhook {
        let run = payload.check_run
        let action: CheckRunRequest.Action
        switch payload.action {
        case "rerequested": action = .rerequested
        case "requested_action":
            guard let identifier = payload.requested_action?.identifier else {
                throw PayloadError(field: "requested_action.identifier", problem: "is missing")
            }
            action = .requested(identifier)
        default: return .ignored("check_run \(payload.action)")
        }
        guard run.name == CIContract.GitHub.checkName, let external = run.external_id, !external.isEmpty else {
            return .ignored("check_run \(payload.action) of another check (\(run.name ?? "no name"))")
        }
        try checkRepository(payload.repository)
        guard isCommit(run.head_sha) else {
            throw PayloadError(field: "check_run.head_sha", problem: "is not a commit SHA")
        }
        let request = CheckRunRequest(
            action: action, checkRunID: run.id, externalID: external, owner: payload.repository.owner.login,
            repo: payload.repository.name, headSHA: run.head_sha.lowercased())
        return .checkRun(request, installationID: payload.installation?.id)
    }

    private static func checkSuite(_ payload: CheckSuitePayload) throws(PayloadError) -> GitHubWebhook {
        guard payload.action == "rerequested" else { return .ignored("check_suite \(payload.action)") }
        try checkRepository(payload.repository)
        let suite = payload.check_suite
        guard isCommit(suite.head_sha) else {
            throw PayloadError(field: "check_suite.head_sha", problem: "is not a commit SHA")
        }
        let request = CheckSuiteRequest(
            owner: payload.repository.owner.login, repo: payload.repository.name, headSHA: suite.head_sha.lowercased(),
            pullNumbers: (suite.pull_requests ?? []).map(\.number), appID: suite.app?.id)
        return .checkSuiteRerequested(request, installationID: payload.installation?.id)
    }

    private static func checkRepository(_ repository: GitHubRepository) throws(PayloadError) {
        guard Self.isOwnerName(repository.owner.login) else {
            throw PayloadError(field: "repository.owner.login", problem: "is not a GitHub owner name")
        }
        guard Self.isRepositoryName(repository.name) else {
            throw PayloadError(field: "repository.name", problem: "is not a GitHub repository name")
        }
    }

    static func isCommit(_ sha: String) -> Bool { sha.count >= 7 && sha.count <= 64 && sha.allSatisfy(\.isHexDigit) }

    private static func workflowRun(_ payload: WorkflowRunPayload) -> GitHubWebhook {
        guard payload.action == "completed" else { return .ignored("workflow_run \(payload.action)") }
        let run = payload.workflow_run
        return .workflowRunCompleted(
            job: jobKey(fromTitle: run.display_title), conclusion(run.conclusion), runID: run.id, url: run.html_url,
            installationID: payload.installation?.id)
    }
}

extension GitHubWebhook {
    /// GitHub's rule for user and organization names: letters, digits, hyphens (and `_` for managed
    /// users), 1 to 39 characters, neither starting nor ending with a hyphen.
    public static func isOwnerName(_ name: String) -> Bool {
        let chars = Array(name.utf8)
        guard (1...39).contains(chars.count), chars.first != UInt8(ascii: "-"), chars.last != UInt8(ascii: "-") else {
            return false
        }
        // `_` appears in Enterprise Managed Users' logins (`alice_acme`).
        return chars.allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// GitHub's rule for repository names: letters, digits, `.`, `_` and `-`, at most 100, and not
    /// `.` or `..`.
    public static func isRepositoryName(_ name: String) -> Bool {
        let chars = Array(name.utf8)
        guard (1...100).contains(chars.count), name != ".", name != ".." else { return false }
        return chars.allSatisfy {
            isASCIIAlphanumeric($0) || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-")].contains($0)
        }
    }

    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

extension String {
    var trimmingWhitespace: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
