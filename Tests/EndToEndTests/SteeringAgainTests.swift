import Engine
import Foundation
import Orchestration
import Simulators
import Testing
import Workflow

/// Measuring again from the pull request and without it: the check run's Re-run and its buttons,
/// "Re-run all checks", the control API's rerun and restart, and the CLI.
struct SteeringAgainTests {
    /// A completed measurement of the demo PR (survivors among its mutants) and its check run.
    static func completed(_ harness: Harness) async throws -> (Run, SimulatedCheckRun) {
        let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
        let workflow = try #require(reply.body["workflow"] as? String)
        let run = try await harness.ticked(workflow).state
        let check = try #require(await harness.simulator.state.checkRuns.first { $0.externalID == workflow })
        return (run, check)
    }

    static func post(_ harness: Harness, _ path: String, body: String? = nil) async throws -> Harness.Reply {
        try await harness.request(
            "POST", path, body: body.map { Data($0.utf8) },
            headers: ["Authorization": "Bearer \(Harness.apiToken)", "Content-Type": "application/json"])
    }

    /// Mutants on even lines are killed, the others survive.
    static let someSurvive: @Sendable (String, GitHubSimulator.MutantInput?) -> String? = { _, mutant in
        guard let mutant else { return "success" }
        return mutant.line % 2 == 0 ? "failure" : "success"
    }

    @Test func `the check run's buttons rerun the survivors in the same workflow and start over as a new one`()
        async throws
    {
        try await Harness.run(outcome: Self.someSurvive) { harness in
            let (run, check) = try await Self.completed(harness)
            #expect(check.status == "completed")
            #expect(check.actions == ["rerun-survivors", "start-over"])
            let survivors = run.rerunCandidates(.survived)
            #expect(!survivors.isEmpty)
            #expect(await harness.simulator.click(checkRun: check.id, button: "rerun-survivors") == 202)
            let rerun = try await harness.ticked(run.id).state
            #expect(rerun.reruns == 1 && rerun.status == .completed)
            for id in survivors { #expect(rerun.mutants[id].attempts.count == 2, "m\(id)") }
            #expect(
                rerun.mutants.filter { !survivors.contains(Int($0.name.description.dropFirst())!) }.allSatisfy {
                    $0.attempts.count <= 1
                })
            let second = try #require(
                await harness.simulator.state.checkRuns.first { $0.externalID == "\(run.id).rerun1" })
            #expect(second.status == "completed" && second.summary?.contains("/runs/\(check.id)") == true)
            // The first check run's start-over: a new workflow of the same head, on a third check run.
            #expect(await harness.simulator.click(checkRun: check.id, button: "start-over") == 202)
            let restarted = try #require(try await harness.engine.load(tenant: "acme", id: run.id)?.0.state.restartedAs)
            #expect(restarted == "\(run.id)-r2")
            let again = try await harness.ticked(restarted).state
            #expect(again.status == .completed && again.pullRequest.headSHA == run.pullRequest.headSHA)
            #expect(await harness.simulator.state.checkRuns.contains { $0.externalID == restarted })
            // A redelivery of the same click changes nothing.
            let clicks = await harness.simulator.state.deliveries.filter { $0.event == "check_run" }
            let last = try #require(clicks.last)
            #expect(await harness.simulator.send(event: "check_run", payload: last.body, guid: last.guid) == 202)
            let workflows = try await harness.engine.store.listAll(prefix: StoreKey.workflowsPrefix(tenant: "acme"))
            #expect(workflows.count == 2)
        }
    }

    @Test func `the Re-run button and Re-run all checks measure the head again`() async throws {
        try await Harness.run { harness in
            let (run, check) = try await Self.completed(harness)
            #expect(await harness.simulator.click(checkRun: check.id) == 202)
            let second = "\(run.id)-r2"
            #expect(try await harness.ticked(second).state.status == .completed)
            #expect(
                await harness.simulator.rerunAllChecks(headSHA: run.pullRequest.headSHA, pullNumber: 42) == 202)
            #expect(try await harness.ticked("\(run.id)-r3").state.status == .completed)
            #expect(try await harness.engine.load(tenant: "acme", id: second)?.0.state.restartedAs == "\(run.id)-r3")
        }
    }

    @Test func `the control API reruns a finished workflow, refuses one still measuring, and restarts`() async throws {
        try await Harness.run(jobDuration: .milliseconds(400)) { harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(reply.body["workflow"] as? String)
            let base = "/api/v1/tenants/acme/workflows/\(workflow)"
            let early = try await Self.post(harness, "\(base)/rerun", body: #"{"only":"survived"}"#)
            #expect(early.status == 409)
            #expect((early.body["error"] as? String)?.contains("still measuring") == true)
            let run = try await harness.ticked(workflow).state
            let bad = try await Self.post(harness, "\(base)/rerun", body: #"{"only":"everything"}"#)
            #expect(bad.status == 400)
            let rerun = try await Self.post(harness, "\(base)/rerun", body: #"{"only":"all"}"#)
            #expect(rerun.status == 202)
            let chosen = try #require(rerun.body["mutants"] as? [String])
            #expect(chosen == run.rerunCandidates(.all).map { "m\($0)" })
            let measured = try await harness.ticked(workflow).state
            #expect(measured.status == .completed && measured.reruns == 1)
            let restart = try await Self.post(harness, "\(base)/restart")
            #expect(restart.status == 202)
            #expect(restart.body["workflow"] as? String == "\(workflow)-r2")
            #expect(restart.body["restarted"] as? String == workflow)
            let unknown = try await Self.post(harness, "/api/v1/tenants/acme/workflows/nope/restart")
            #expect(unknown.status == 404)
        }
    }

    @Test func `the CLI reruns and restarts through the same code, the timer carrying out what it asked for`()
        async throws
    {
        try await Harness.run { harness in
            let (run, _) = try await Self.completed(harness)
            let environment = ["TINYBUG_STORE": "file://\(harness.storeRoot)", "TINYBUG_TENANTS": "/nonexistent"]
            let (status, output) = try Self.cli(["rerun", "acme/\(run.id)", "--only", "all"], environment)
            #expect(status == 0, "\(output)")
            #expect(output.contains("measuring m0"))
            #expect(try await harness.ticked(run.id).state.reruns == 1)
            let (restarted, said) = try Self.cli(["restart", "acme/\(run.id)"], environment)
            #expect(restarted == 0, "\(said)")
            #expect(try await harness.ticked("\(run.id)-r2").state.status == .completed)
            let (refused, why) = try Self.cli(["rerun", "acme/\(run.id)", "--only", "sometimes"], environment)
            #expect(refused != 0 && why.contains("survived, errored or all"))
        }
    }

    static func cli(_ arguments: [String], _ environment: [String: String]) throws -> (Int32, String) {
        try FunctionProcesses.captured(
            FunctionProcesses.binary("tinybug"), arguments,
            environment: environment.merging(["PATH": "/usr/bin:/bin", "LOG_LEVEL": "critical"]) { $1 })
    }
}
