import Foundation
import Ingress
import Testing
import Workflow

struct GitHubWebhookTests {
    @Test(arguments: ["opened", "reopened", "synchronize", "closed", "ready_for_review"])
    func `every recorded pull_request action decodes`(action: String) throws {
        let webhook = try GitHubWebhook.decode(
            event: "pull_request", body: fixture("github/pull_request.\(action).json"))
        guard case .pullRequest(let decoded, let pr, let installation, let draft) = webhook else {
            Issue.record("decoded as \(webhook)")
            return
        }
        #expect(decoded.rawValue == action)
        #expect(pr.owner == "acme" && pr.repo == "shop" && pr.number == 42)
        #expect(pr.headSHA.count == 40)
        #expect(installation == 42)
        #expect(!draft)
    }

    @Test func `a draft pull request says so`() throws {
        guard
            case .pullRequest(_, _, _, let draft) = try GitHubWebhook.decode(
                event: "pull_request", body: fixture("github/pull_request.opened.draft.json"))
        else {
            Issue.record("not a pull request")
            return
        }
        #expect(draft)
    }

    @Test func `other pull_request actions are ignored`() throws {
        #expect(
            try GitHubWebhook.decode(event: "pull_request", body: fixture("github/pull_request.labeled.json"))
                == .ignored("pull_request labeled"))
    }

    @Test func `a completed workflow_run carries our job key back`() throws {
        let webhook = try GitHubWebhook.decode(
            event: "workflow_run", body: fixture("github/workflow_run.completed.json"))
        let key = try #require(JobKey(parsing: "acme/acme--shop--pr42--9f1c2ab47d3e/m3/1"))
        #expect(
            webhook
                == .workflowRunCompleted(
                    job: key, .failed, runID: 30_433_642, url: "https://github.com/acme/shop/actions/runs/30433642",
                    installationID: 42))
    }

    @Test(arguments: ["requested", "in_progress"])
    func `a workflow_run that has not finished is ignored`(action: String) throws {
        #expect(
            try GitHubWebhook.decode(event: "workflow_run", body: fixture("github/workflow_run.\(action).json"))
                == .ignored("workflow_run \(action)"))
    }

    @Test(arguments: [
        ("success", CIConclusion.passed), ("failure", .failed), ("cancelled", .infrastructure("cancelled")),
        ("timed_out", .infrastructure("timed_out")), ("startup_failure", .infrastructure("startup_failure")),
        ("stale", .infrastructure("stale")), ("action_required", .infrastructure("action_required")),
    ])
    func `conclusions map as the contract says`(text: String, conclusion: CIConclusion) {
        #expect(GitHubWebhook.conclusion(text) == conclusion)
    }

    @Test(arguments: ["Update README", "tinybug not-a-key", "tinybug ", ""])
    func `runs that are not ours carry no job key`(title: String) {
        #expect(GitHubWebhook.jobKey(fromTitle: title) == nil)
    }

    @Test func `ping decodes without looking at the body`() throws {
        #expect(try GitHubWebhook.decode(event: "ping", body: fixture("github/ping.json")) == .ping)
    }

    @Test func `a missing field is named`() throws {
        var object = try #require(
            try JSONSerialization.jsonObject(with: fixture("github/pull_request.opened.json")) as? [String: Any])
        var pr = try #require(object["pull_request"] as? [String: Any])
        var head = try #require(pr["head"] as? [String: Any])
        head.removeValue(forKey: "sha")
        pr["head"] = head
        object["pull_request"] = pr
        let body = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: PayloadError(field: "pull_request.head.sha", problem: "is missing")) {
            try GitHubWebhook.decode(event: "pull_request", body: body)
        }
    }

    @Test(arguments: ["{not json", "[]", "", "null"])
    func `a body that is not the expected JSON is a payload error`(body: String) {
        #expect(throws: PayloadError.self) { try GitHubWebhook.decode(event: "pull_request", body: Data(body.utf8)) }
    }

    @Test func `unknown events are ignored without decoding`() throws {
        #expect(try GitHubWebhook.decode(event: "issues", body: Data("garbage".utf8)) == .ignored("event issues"))
    }
}
