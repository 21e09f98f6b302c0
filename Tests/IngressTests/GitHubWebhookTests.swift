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

/// The PR's buttons: check_run and check_suite deliveries.
struct CheckWebhookTests {
    @Test func `the Re-run button and a check run's button name Tinybug's check run`() throws {
        let rerun = try GitHubWebhook.decode(event: "check_run", body: fixture("github/check_run.rerequested.json"))
        let expected = GitHubWebhook.CheckRunRequest(
            action: .rerequested, checkRunID: 4, externalID: "acme--shop--pr42--9f1c2ab47d3e", owner: "acme",
            repo: "shop", headSHA: "9f1c2ab47d3e8b6f0a5c4d2e1b7f8a9c0d3e4f5a")
        #expect(rerun == .checkRun(expected, installationID: 42))
        let button = try GitHubWebhook.decode(
            event: "check_run", body: fixture("github/check_run.requested_action.json"))
        var clicked = expected
        clicked.action = .requested("rerun-survivors")
        #expect(button == .checkRun(clicked, installationID: 42))
    }

    @Test func `other check_run actions, and other Apps' check runs, are ignored`() throws {
        #expect(
            try GitHubWebhook.decode(event: "check_run", body: fixture("github/check_run.completed.json"))
                == .ignored("check_run completed"))
        var other = try #require(
            try JSONSerialization.jsonObject(with: fixture("github/check_run.rerequested.json")) as? [String: Any])
        var run = try #require(other["check_run"] as? [String: Any])
        run["name"] = "build"
        other["check_run"] = run
        let decoded = try GitHubWebhook.decode(
            event: "check_run", body: try JSONSerialization.data(withJSONObject: other))
        #expect(decoded == .ignored("check_run rerequested of another check (build)"))
    }

    @Test func `a button click without its identifier is malformed`() throws {
        var payload = try #require(
            try JSONSerialization.jsonObject(with: fixture("github/check_run.requested_action.json")) as? [String: Any])
        payload["requested_action"] = [String: Any]()
        #expect(throws: PayloadError.self) {
            try GitHubWebhook.decode(event: "check_run", body: try JSONSerialization.data(withJSONObject: payload))
        }
    }

    @Test func `Re-run all checks names the commit and its pull requests`() throws {
        let suite = try GitHubWebhook.decode(event: "check_suite", body: fixture("github/check_suite.rerequested.json"))
        guard case .checkSuiteRerequested(let request, let installation) = suite else {
            Issue.record("decoded as \(suite)")
            return
        }
        #expect(request.headSHA == "9f1c2ab47d3e8b6f0a5c4d2e1b7f8a9c0d3e4f5a")
        #expect(request.pullNumbers == [42] && request.appID == 77 && installation == 42)
        #expect(request.owner == "acme" && request.repo == "shop")
    }
}
