import Engine
import Foundation
import Simulators
import Testing
import Workflow

struct MeasurementTests {
    @Test func `a whole measurement over HTTP reports the score and dispatches every job exactly once`() async throws {
        try await Harness.run { harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            #expect(reply.status == 202)
            let workflow = try #require(reply.body["workflow"] as? String)
            let document = try await harness.finished(workflow)
            let run = document.state
            let report = try #require(run.report)
            #expect(run.status == .completed)
            #expect(run.mutants.count == 8)

            let checks = await harness.simulator.state.checkRuns
            #expect(checks.count == 1)
            let check = try #require(checks.first)
            #expect(check.name == "Tinybug test effectiveness")
            #expect(check.headSHA == run.pullRequest.headSHA)
            #expect(check.status == "completed")
            #expect(check.conclusion == report.conclusion.rawValue)
            #expect(check.title == report.title)
            #expect(check.title?.contains("\(Report.percent(try #require(report.score)))%") == true)
            #expect(
                check.summary?.contains("| **Score** | **\(Report.percent(try #require(report.score)))%** |") == true)
            let survivors = zip(run.plan ?? [], run.mutants).filter { $0.1.status == .passed }.map {
                "\($0.0.path):\($0.0.line)"
            }
            #expect(check.annotations.map { "\($0.path):\($0.line)" } == survivors)
            #expect(report.killed + report.survived == 8)

            let counts = await harness.simulator.state.dispatchCounts()
            #expect(counts.count == 10)
            #expect(counts.values.allSatisfy { $0 == 1 })
            for (mutant, job) in zip(run.plan ?? [], run.mutants) {
                let expected = GitHubSimulator.defaultOutcome(
                    job: "",
                    mutant: .init(
                        path: mutant.path, line: mutant.line, original: mutant.original,
                        replacement: mutant.replacement, operator: mutant.operator.rawValue))
                #expect(job.status == (expected == "failure" ? .failed : .passed))
            }
            #expect(document.history.contains { $0.event.hasPrefix("CI finished") })
            #expect(document.outbox.isEmpty)
        }
    }

    @Test func `an infrastructure failure is retried and the retry counts`() async throws {
        try await Harness.run(outcome: { job, mutant in
            job.hasSuffix("/m0/1") ? "startup_failure" : GitHubSimulator.defaultOutcome(job: job, mutant: mutant)
        }) { harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(reply.body["workflow"] as? String)
            // The retry waits in the timer index; tick until it is dispatched and finishes.
            let document = try await harness.ticked(workflow)
            #expect(
                document.state.mutants[0].attempts.map(\.result) == [
                    .infrastructure("startup_failure"), document.state.mutants[0].status == .failed ? .failed : .passed,
                ])
            let counts = await harness.simulator.state.dispatchCounts()
            #expect(counts.count == 11)
            #expect(counts.values.allSatisfy { $0 == 1 })
        }
    }

    @Test func `a new push supersedes the running workflow and cancels its CI runs`() async throws {
        try await Harness.run(jobDuration: .seconds(20)) { harness in
            let opened = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let first = try #require(opened.body["workflow"] as? String)
            let pushed = try await harness.deliver(
                fixture("github/pull_request.synchronize.json"), event: "pull_request")
            #expect(pushed.status == 202)
            let second = try #require(pushed.body["workflow"] as? String)
            #expect(second != first)
            let old = try await harness.finished(first)
            #expect(old.state.status == .superseded)
            let runs = await harness.simulator.state.runs
            #expect(runs.first { $0.inputs["tinybug_job"]?.contains(first) == true }?.conclusion == "cancelled")
            let new = try #require(try await harness.engine.load(tenant: "acme", id: second)?.0)
            #expect(new.state.status == .running)
            #expect(new.state.pullRequest.headSHA == "4b7e9d2c1a8f6e3b5d0c9a7f2e1d8b6c4a3f5e7d")
        }
    }

    @Test func `closing the pull request cancels its workflow`() async throws {
        try await Harness.run(jobDuration: .seconds(20)) { harness in
            let opened = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(opened.body["workflow"] as? String)
            let closed = try await harness.deliver(fixture("github/pull_request.closed.json"), event: "pull_request")
            #expect(closed.status == 202)
            #expect(try await harness.finished(workflow).state.status == .cancelled)
            let check = try #require(await harness.simulator.state.checkRuns.first)
            #expect(check.conclusion == "cancelled")
        }
    }
}
