import Engine
import Foundation
import Simulators
import Testing

/// CONTRACT.md's answers, each with the store shown unchanged by a rejected request.
struct ErrorContractTests {
    @Test func `a wrong signature is 401 and changes nothing`() async throws {
        try await Harness.run { harness in
            let before = harness.snapshot()
            let body = try fixture("github/pull_request.opened.json")
            let wrong = try await harness.deliver(body, event: "pull_request", secret: "not-the-secret")
            #expect(wrong.status == 401)
            let tampered = try await harness.deliver(
                body, event: "pull_request", signature: "sha256=" + String(repeating: "0", count: 64))
            #expect(tampered.status == 401)
            let sha1Only = try await harness.deliver(
                body, event: "pull_request", signature: "",
                extraHeaders: ["X-Hub-Signature": "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"])
            #expect(sha1Only.status == 401)
            #expect(harness.snapshot() == before)
            #expect(await harness.simulator.state.runs.isEmpty)
        }
    }

    @Test func `an unknown tenant is 404 and changes nothing`() async throws {
        try await Harness.run { harness in
            let before = harness.snapshot()
            let reply = try await harness.deliver(
                fixture("github/pull_request.opened.json"), event: "pull_request", path: "/webhooks/github/nobody")
            #expect(reply.status == 404)
            #expect(harness.snapshot() == before)
        }
    }

    @Test func `malformed JSON is 400 naming the problem, and changes nothing`() async throws {
        try await Harness.run { harness in
            let before = harness.snapshot()
            let broken = try await harness.deliver(Data("{\"action\": \"opened\"".utf8), event: "pull_request")
            #expect(broken.status == 400)
            let missing = try await harness.deliver(
                Data("{\"action\": \"opened\", \"pull_request\": {}}".utf8), event: "pull_request")
            #expect(missing.status == 400)
            #expect((missing.body["field"] as? String)?.hasPrefix("pull_request.") == true)
            let noDelivery = try await harness.deliver(
                fixture("github/pull_request.opened.json"), event: "pull_request", delivery: "")
            #expect(noDelivery.status == 400)
            #expect(noDelivery.body["field"] as? String == "X-GitHub-Delivery")
            #expect(harness.snapshot() == before)
        }
    }

    @Test func `a body over 25 MiB is 413`() async throws {
        try await Harness.run { harness in
            let before = harness.snapshot()
            let reply = try await harness.deliver(
                Data(repeating: UInt8(ascii: " "), count: 25 * 1024 * 1024 + 1), event: "pull_request")
            #expect(reply.status == 413)
            #expect(harness.snapshot() == before)
        }
    }

    @Test func `a duplicate delivery is 200 and dispatches nothing more`() async throws {
        try await Harness.run(jobDuration: .seconds(20)) { harness in
            let body = try fixture("github/pull_request.opened.json")
            let first = try await harness.deliver(body, event: "pull_request", delivery: "delivery-1")
            #expect(first.status == 202)
            let runs = await harness.simulator.state.runs.count
            let again = try await harness.deliver(body, event: "pull_request", delivery: "delivery-1")
            #expect(again.status == 200)
            let otherDelivery = try await harness.deliver(body, event: "pull_request", delivery: "delivery-2")
            #expect(otherDelivery.status == 200)
            #expect(await harness.simulator.state.runs.count == runs)
        }
    }

    @Test func `a completion whose job key names another tenant is 401 and changes nothing`() async throws {
        try await Harness.run { harness in
            let before = harness.snapshot()
            let text = String(decoding: try fixture("github/workflow_run.completed.json"), as: UTF8.self)
                .replacingOccurrences(of: "tinybug acme/", with: "tinybug globex/")
            let reply = try await harness.deliver(Data(text.utf8), event: "workflow_run")
            #expect(reply.status == 401)
            #expect(harness.snapshot() == before)
        }
    }

    @Test func `ping is 200, other events are 202 and ignored`() async throws {
        try await Harness.run { harness in
            let before = harness.snapshot()
            #expect(try await harness.deliver(fixture("github/ping.json"), event: "ping").status == 200)
            let issues = try await harness.deliver(Data("{}".utf8), event: "issues")
            #expect(issues.status == 202)
            #expect(issues.body["result"] as? String == "ignored")
            let inProgress = try await harness.deliver(
                fixture("github/workflow_run.in_progress.json"), event: "workflow_run")
            #expect(inProgress.status == 202)
            let draft = try await harness.deliver(
                fixture("github/pull_request.opened.draft.json"), event: "pull_request")
            #expect(draft.status == 202)
            #expect(draft.body["result"] as? String == "ignored")
            #expect(harness.snapshot() == before)
        }
    }

    @Test func `the timer needs its bearer token`() async throws {
        try await Harness.run { harness in
            let missing = try await harness.request("POST", "/timer")
            let wrong = try await harness.request("POST", "/timer", headers: ["Authorization": "Bearer wrong"])
            let right = try await harness.request(
                "POST", "/timer", headers: ["Authorization": "Bearer \(Harness.timerToken)"])
            let health = try await harness.request("GET", "/healthz")
            #expect(missing.status == 401 && wrong.status == 401)
            #expect(right.status == 200)
            #expect(health.status == 200)
        }
    }

    @Test func `a store that cannot be written is 503 and the sender may retry`() async throws {
        try await Harness.run { harness in
            try FileManager.default.removeItem(atPath: harness.storeRoot)
            #expect(FileManager.default.createFile(atPath: harness.storeRoot, contents: Data("not a folder".utf8)))
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            #expect(reply.status == 503)
            #expect(reply.body["error"] as? String != nil)
            #expect(await harness.simulator.state.runs.isEmpty)
        }
    }

    @Test func `a redelivery after the workflow finished is 200 and changes nothing`() async throws {
        try await Harness.run { harness in
            let opened = try await harness.deliver(
                fixture("github/pull_request.opened.json"), event: "pull_request", delivery: "open-1")
            let workflow = try #require(opened.body["workflow"] as? String)
            let done = try await harness.finished(workflow)
            let before = harness.snapshot()
            let runs = await harness.simulator.state.runs
            let lastRun = try #require(runs.last)
            let job = try #require(lastRun.inputs["tinybug_job"])
            let text = String(decoding: try fixture("github/workflow_run.completed.json"), as: UTF8.self)
                .replacingOccurrences(of: "tinybug acme/acme--shop--pr42--9f1c2ab47d3e/m3/1", with: "tinybug \(job)")
            let late = try await harness.deliver(Data(text.utf8), event: "workflow_run")
            #expect(late.status == 200)
            let reopened = try await harness.deliver(
                fixture("github/pull_request.opened.json"), event: "pull_request", delivery: "open-1")
            #expect(reopened.status == 200)
            #expect(harness.snapshot() == before)
            #expect(try await harness.engine.load(tenant: "acme", id: workflow)?.0.state == done.state)
        }
    }
}
