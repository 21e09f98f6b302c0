import Testing
import Workflow

/// Transcripts of measuring again: a rerun of some mutants in the same workflow, a restart as a
/// new one, and the buttons a completed check run carries.
struct SteeringTests {
    /// Four mutants: m0 and m2 killed, m1 survived, m3 errored (its run never said anything).
    static func completed() -> Run {
        let settings = Settings(maxConcurrentJobs: 4, maxAttempts: 1, retryBaseSeconds: 0, baselineRuns: 1)
        let (run, _) = Run.mutating(4, settings: settings)
        let (done, _) = run.after(
            killed(run.key(.mutant(0))) + [.ciFinished(run.key(.mutant(1)), .passed, ciRunID: 2, url: nil)]
                + killed(run.key(.mutant(2)))
                + [
                    .ciFinished(run.key(.mutant(3)), .infrastructure("startup_failure"), ciRunID: 4, url: nil),
                    .checkRunCreated(id: 501), .reported,
                ])
        return done
    }

    @Test func `a completed check run carries rerun buttons for survivors and errored mutants, and start over`() {
        let run = Self.completed()
        #expect(run.status == .completed)
        #expect(run.report?.actions == [.rerunSurvivors, .rerunErrored, .startOver])
        #expect(run.report?.actions?.allSatisfy { $0.identifier.count <= 20 && $0.label.count <= 20 } == true)
        #expect(run.report?.actions?.allSatisfy { $0.description.count <= 40 } == true)
    }

    @Test func `a rerun of the survivors measures them again in the same workflow, on a new check run`() {
        let run = Self.completed()
        #expect(run.rerunCandidates(.survived) == [1])
        let (again, effects) = Run.transition(run, .rerunRequested(.survived), now: t0.adding(seconds: 600))
        #expect(effects.first == .createCheckRun(samplePR, workflow: "\(run.id).rerun1"))
        #expect(effects.dispatched == [run.key(.mutant(1), attempt: 2)])
        #expect(again.status == .running && again.checkRunID == nil && again.earlierCheckRunID == 501)
        #expect(again.mutants[0].result?.status == .killed)
        #expect(again.mutants[3].result?.status == .runtimeError)
        // It completes on the new check run, whose summary links the earlier one.
        let (done, reported) = again.after(
            [.checkRunCreated(id: 502), .ciFinished(run.key(.mutant(1), attempt: 2), .passed, ciRunID: 9, url: nil)],
            at: t0.adding(seconds: 700))
        #expect(done.status == .completed)
        let complete = reported.first { if case .completeCheckRun = $0 { true } else { false } }
        guard case .completeCheckRun(_, let external, let id, let report) = complete else {
            Issue.record("no report: \(reported)")
            return
        }
        #expect(external == "\(run.id).rerun1" && id == 502)
        #expect(report.summary.contains("https://github.com/acme/shop/runs/501"))
        #expect(Run.workflowID(fromExternalID: external) == run.id)
    }

    @Test(arguments: [RerunSelection.errored, .all])
    func `a rerun chooses by status`(selection: RerunSelection) {
        let run = Self.completed()
        let (again, effects) = Run.transition(run, .rerunRequested(selection), now: t0.adding(seconds: 600))
        let chosen = selection == .errored ? [3] : [0, 1, 2, 3]
        #expect(effects.dispatched.map(\.job) == chosen.map { JobName.mutant($0) })
        #expect(again.mutants.filter { $0.status == .dispatching }.count == chosen.count)
    }

    @Test func `a rerun is refused while measuring, when nothing is chosen, and after a cancel`() {
        let (measuring, _) = Run.mutating(2)
        #expect(measuring.rerunRefusal(.survived)?.contains("still measuring") == true)
        let (same, none) = Run.transition(measuring, .rerunRequested(.survived), now: t0)
        #expect(same == measuring && none.isEmpty)
        let run = Self.completed()
        let (survivorsOnly, _) = Run.transition(run, .rerunRequested(.survived), now: t0.adding(seconds: 600))
        let (allKilled, _) = survivorsOnly.after(
            killed(run.key(.mutant(1), attempt: 2)) + [.checkRunCreated(id: 502), .reported],
            at: t0.adding(seconds: 700))
        #expect(allKilled.rerunRefusal(.survived) == "no survived mutants to measure again")
        #expect(allKilled.report?.actions == [.rerunErrored, .startOver])
        let (cancelled, _) = Run.mutating(2).0.after([.cancelRequested(reason: "test")])
        #expect(cancelled.rerunRefusal(.all)?.contains("cancelled") == true)
    }

    @Test func `a restart supersedes a workflow still measuring, and only records itself on a finished one`() {
        let (measuring, _) = Run.mutating(2)
        let (ended, effects) = Run.transition(measuring, .restarted(as: "w-r2"), now: t0.adding(seconds: 200))
        #expect(ended.status == .superseded && ended.restartedAs == "w-r2")
        #expect(Set(effects.cancelled) == [measuring.key(.mutant(0)), measuring.key(.mutant(1))])
        let finished = Self.completed()
        let (recorded, none) = Run.transition(finished, .restarted(as: "w-r2"), now: t0.adding(seconds: 900))
        #expect(recorded.status == .completed && recorded.restartedAs == "w-r2" && none.isEmpty)
        #expect(recorded.rerunRefusal(.survived)?.contains("w-r2") == true)
    }
}
