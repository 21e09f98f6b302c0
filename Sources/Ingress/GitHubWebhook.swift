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
    /// A delivery Tinybug takes no action on (another event, or another action).
    case ignored(String)

    public enum PullRequestAction: String, Sendable {
        case opened, reopened, synchronize, closed
        case readyForReview = "ready_for_review"
    }

    /// The conclusions that mean the tests ran and passed or failed; every other one is an
    /// infrastructure outcome and is retried.
    public static func conclusion(_ text: String?) -> CIConclusion { CIProvider.githubActions.conclusion(text) }

    /// The job key a run carries in its `run-name` (`tinybug <key>`), if it is one of ours.
    public static func jobKey(fromTitle title: String?) -> JobKey? { CIContract.jobKey(fromTitle: title) }

    /// Decodes a delivery of event type `event`. Call only after its signature was verified.
    public static func decode(event: String, body: Data) throws(PayloadError) -> GitHubWebhook {
        switch event {
        case "ping":
            return .ping
        case "pull_request":
            return try pullRequest(PayloadError.decode(PullRequestPayload.self, from: body))
        case "workflow_run":
            return try workflowRun(PayloadError.decode(WorkflowRunPayload.self, from: body))
        default:
            return .ignored("event \(event)")
        }
    }

    private static func pullRequest(_ payload: PullRequestPayload) throws(PayloadError) -> GitHubWebhook {
        guard let action = PullRequestAction(rawValue: payload.action) else {
            return .ignored("pull_request \(payload.action)")
        }
        let pr = payload.pull_request
        guard pr.head.sha.count >= 7, pr.head.sha.allSatisfy(\.isHexDigit) else {
            throw PayloadError(field: "pull_request.head.sha", problem: "is not a commit SHA")
        }
        guard Self.isOwnerName(payload.repository.owner.login) else {
            throw PayloadError(field: "repository.owner.login", problem: "is not a GitHub owner name")
        }
        guard Self.isRepositoryName(payload.repository.name) else {
            throw PayloadError(field: "repository.name", problem: "is not a GitHub repository name")
        }
        let request = PullRequest(
            owner: payload.repository.owner.login, repo: payload.repository.name, number: pr.number,
            headSHA: pr.head.sha.lowercased(), headRef: pr.head.ref, baseRef: pr.base.ref, title: pr.title ?? "",
            updatedAt: pr.updated_at)
        return .pullRequest(action, request, installationID: payload.installation?.id, draft: pr.draft ?? false)
    }

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
