import Testing
import Workflow

struct RunTransitionTests {
    @Test func `a new workflow creates its check run, lists the files and dispatches the baseline`() {
        let (run, effects) = Run.started()
        #expect(effects.count == 3)
        #expect(effects.contains(.createCheckRun(samplePR, workflow: run.id)))
        #expect(effects.contains(.listFiles(samplePR, workflow: run.id)))
        #expect(effects.dispatched == [run.key(.baseline)])
        #expect(run.phase == .baseline)
        #expect(run.baseline.status == .dispatching)
    }

    @Test func `a green baseline starts mutants up to the concurrency limit, whichever arrives first`() {
        let (started, _) = Run.started()
        let listed = Event.filesListed([mutableFile(count: 5)])
        let green: [Event] = [
            .ciFinished(started.key(.baseline), .passed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), RunResults()),
        ]
        let (a, effectsA) = started.after([listed] + green)
        let (b, effectsB) = started.after(green + [listed])
        #expect(effectsA.dispatched == [a.key(.mutant(0)), a.key(.mutant(1))])
        #expect(effectsB.dispatched == effectsA.dispatched)
        #expect(a.phase == .mutants && b.phase == .mutants)
    }

    @Test func `a red baseline ends the workflow as inconclusive with a neutral check`() {
        let (started, _) = Run.started()
        let (run, effects) = started.after([
            .filesListed([mutableFile(count: 3)]), .ciFinished(started.key(.baseline), .failed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), RunResults(note: "the run uploaded no tinybug-results artifact")),
        ])
        #expect(run.status == .inconclusive)
        #expect(effects.dispatched.isEmpty)
        #expect(effects.report?.conclusion == .neutral)
    }

    @Test func `killed and survived mutants give the score, the conclusion and one annotation per survivor`() {
        let (run, _) = Run.mutating(3, settings: Settings(maxConcurrentJobs: 3, threshold: 0.6))
        let (done, effects) = run.after(
            killed(run.key(.mutant(0))) + killed(run.key(.mutant(1))) + [
                .ciFinished(run.key(.mutant(2)), .passed, ciRunID: 12, url: nil)
            ])
        let report = try! #require(effects.report)
        #expect(report.killed == 2 && report.survived == 1)
        #expect(report.conclusion == .success)
        #expect(report.title.contains("66%"))
        #expect(report.annotations.map(\.line) == [3])
        #expect(done.phase == .reporting)
        #expect(done.after([.reported]).0.phase == .done)
    }

    @Test func `a score below the threshold fails the check`() {
        let (run, _) = Run.mutating(2, settings: Settings(maxConcurrentJobs: 2, threshold: 0.6))
        let (_, effects) = run.after(
            killed(run.key(.mutant(0))) + [.ciFinished(run.key(.mutant(1)), .passed, ciRunID: 11, url: nil)])
        #expect(effects.report?.conclusion == .failure)
    }

    @Test func `a redelivered completion changes nothing`() {
        let (run, _) = Run.mutating(3)
        let completion = Event.ciFinished(run.key(.mutant(0)), .failed, ciRunID: 10, url: nil)
        let (once, _) = Run.transition(run, completion, now: t0.adding(seconds: 100))
        let (twice, effects) = Run.transition(once, completion, now: t0.adding(seconds: 200))
        #expect(twice == once)
        #expect(effects.isEmpty)
    }

    @Test func `a completion that arrives before its dispatch is acknowledged still counts`() {
        let (run, _) = Run.mutating(1)
        let (finished, _) = run.after(killed(run.key(.mutant(0))))
        let (late, effects) = Run.transition(
            finished, .dispatched(run.key(.mutant(0)), ciRunID: 10, url: nil), now: t0.adding(seconds: 300))
        #expect(late == finished)
        #expect(effects.isEmpty)
        #expect(finished.mutants[0].status == .failed)
    }

    @Test func `a completion for a job that does not exist is ignored`() {
        let (run, _) = Run.mutating(1)
        let (next, effects) = Run.transition(
            run, .ciFinished(run.key(.mutant(9)), .failed, ciRunID: 1, url: nil), now: t0)
        #expect(next == run)
        #expect(effects.isEmpty)
    }

    @Test func `an infrastructure conclusion retries with exponential backoff, then counts as errored`() {
        let (run, _) = Run.mutating(1, settings: Settings(maxConcurrentJobs: 1, maxAttempts: 3, retryBaseSeconds: 10))
        let now = t0.adding(seconds: 100)
        let (first, _) = Run.transition(
            run, .ciFinished(run.key(.mutant(0)), .infrastructure("cancelled"), ciRunID: 1, url: nil), now: now)
        #expect(first.mutants[0].status == .retrying)
        #expect(first.mutants[0].retryAt == now.adding(seconds: 10))
        #expect(first.deadline == now.adding(seconds: 10))
        let (early, none) = Run.transition(first, .tick, now: now.adding(seconds: 9))
        #expect(none.isEmpty && early == first)
        let (second, redispatch) = Run.transition(first, .tick, now: now.adding(seconds: 10))
        #expect(redispatch.dispatched == [run.key(.mutant(0), attempt: 2)])
        let (third, _) = second.after(
            [.ciFinished(run.key(.mutant(0), attempt: 2), .infrastructure("timed_out"), ciRunID: 2, url: nil)],
            at: now.adding(seconds: 20))
        #expect(third.mutants[0].retryAt == now.adding(seconds: 40))
        let (fourth, _) = Run.transition(third, .tick, now: now.adding(seconds: 40))
        let (errored, effects) = fourth.after([
            .ciFinished(run.key(.mutant(0), attempt: 3), .infrastructure("startup_failure"), ciRunID: 3, url: nil)
        ])
        #expect(errored.mutants[0].status == .errored)
        #expect(errored.mutants[0].attempts.count == 3)
        #expect(effects.report?.conclusion == .neutral)
    }

    @Test func `an infrastructure conclusion for an old attempt changes nothing but gives that run's slot back`() {
        let (run, _) = Run.mutating(1, settings: Settings(maxConcurrentJobs: 1, retryBaseSeconds: 0))
        let (retried, _) = run.after([
            .ciFinished(run.key(.mutant(0)), .infrastructure("cancelled"), ciRunID: 1, url: nil), .tick,
        ])
        #expect(retried.mutants[0].attempt == 2)
        let (same, effects) = Run.transition(
            retried, .ciFinished(run.key(.mutant(0)), .infrastructure("cancelled"), ciRunID: 1, url: nil), now: t0)
        #expect(same == retried)
        #expect(effects == [.releaseSlot(run.key(.mutant(0)))])
    }

    @Test func `a run that reached the CI after its job was settled gives its slot back when it ends`() {
        let (run, _) = Run.mutating(1, settings: Settings(maxConcurrentJobs: 1, retryBaseSeconds: 0))
        // Attempt 1 is given up (cancelled at the CI) and attempt 2 asked for; then attempt 1's
        // late answer settles the mutant while attempt 2's dispatch is still on its way.
        let (retried, _) = run.after([
            .ciFinished(run.key(.mutant(0)), .infrastructure("cancelled"), ciRunID: 1, url: nil), .tick,
        ])
        let (settled, _) = retried.after(killed(run.key(.mutant(0))))
        #expect(settled.mutants[0].status == .failed)
        // Attempt 2's run reached the CI after all, and ends: nothing about the mutant changes,
        // and whatever slot it took is given back.
        let (same, effects) = Run.transition(
            settled, .ciFinished(run.key(.mutant(0), attempt: 2), .passed, ciRunID: 2, url: nil), now: t0)
        #expect(same == settled)
        #expect(effects == [.releaseSlot(run.key(.mutant(0), attempt: 2))])
    }

    @Test func `a job past its timeout is cancelled and retried`() {
        let settings = Settings(maxConcurrentJobs: 1, jobTimeoutSeconds: 600, maxAttempts: 2, retryBaseSeconds: 0)
        let (run, _) = Run.mutating(1, settings: settings)
        let dispatchedAt = t0.adding(seconds: 60)
        #expect(run.deadline == dispatchedAt.adding(seconds: 600))
        let (notYet, none) = Run.transition(run, .tick, now: dispatchedAt.adding(seconds: 599))
        #expect(none.isEmpty && notYet == run)
        let (asking, poll) = Run.transition(run, .tick, now: dispatchedAt.adding(seconds: 600))
        #expect(poll == [.poll(run.key(.mutant(0)), samplePR, ciRunID: nil)])
        #expect(asking.mutants[0].status == .dispatching)
        let (timedOut, effects) = Run.transition(
            asking, .polled(run.key(.mutant(0)), nil), now: dispatchedAt.adding(seconds: 601))
        #expect(effects.cancelled == [run.key(.mutant(0))])
        #expect(effects.dispatched == [run.key(.mutant(0), attempt: 2)])
        #expect(timedOut.mutants[0].attempts[0].result == .timedOut)
    }

    @Test func `a late conclusive completion from a timed-out attempt counts and cancels the retry`() {
        let settings = Settings(maxConcurrentJobs: 1, jobTimeoutSeconds: 600, maxAttempts: 3, retryBaseSeconds: 0)
        let (run, _) = Run.mutating(1, settings: settings)
        let (retrying, _) = run.after([.tick, .polled(run.key(.mutant(0)), nil)], at: t0.adding(seconds: 660))
        #expect(retrying.mutants[0].attempt == 2)
        let (done, effects) = retrying.after(killed(run.key(.mutant(0))), at: t0.adding(seconds: 661))
        #expect(done.mutants[0].status == .failed)
        #expect(effects.cancelled == [run.key(.mutant(0), attempt: 2)])
        #expect(effects.report?.killed == 1)
    }

    @Test func `pausing stops new dispatches but completions still count, and resume carries on`() {
        let (run, _) = Run.mutating(4, settings: Settings(maxConcurrentJobs: 2))
        let (paused, _) = run.after([.paused])
        let (afterCompletion, none) = paused.after(killed(run.key(.mutant(0))))
        #expect(none.dispatched.isEmpty)
        #expect(afterCompletion.mutants[0].status == .failed)
        #expect(afterCompletion.status == .paused)
        let (resumed, effects) = afterCompletion.after([.resumed], at: t0.adding(seconds: 500))
        #expect(effects.dispatched == [run.key(.mutant(2))])
        #expect(resumed.pauses.count == 1 && resumed.pauses[0].until == t0.adding(seconds: 500))
    }

    @Test func `a workflow started paused dispatches its baseline on resume`() {
        let (run, effects) = Run.start(
            id: "w1", tenant: "acme", pullRequest: samplePR, settings: Settings(), paused: true, now: t0)
        #expect(effects.dispatched.isEmpty)
        let (_, resumed) = Run.transition(run, .resumed, now: t0.adding(seconds: 5))
        #expect(resumed.dispatched == [run.key(.baseline), run.key(.baselineRun(2))])
    }

    @Test func `a push while jobs are in flight cancels them and reports the workflow superseded`() {
        let (run, _) = Run.mutating(4, settings: Settings(maxConcurrentJobs: 2))
        let (superseded, effects) = run.after([.superseded(by: "fff000")])
        #expect(Set(effects.cancelled) == [run.key(.mutant(0)), run.key(.mutant(1))])
        #expect(effects.report?.conclusion == .neutral)
        #expect(superseded.status == .superseded)
        #expect(superseded.mutants.allSatisfy { $0.status == .cancelled })
        let (late, effects2) = superseded.after([.ciFinished(run.key(.mutant(0)), .failed, ciRunID: 1, url: nil)])
        #expect(late == superseded)
        // Cancelled before the CI's answer came, its run may have taken a slot after the cancel looked.
        #expect(effects2 == [.releaseSlot(run.key(.mutant(0)))])
        let running = run.after([.dispatched(run.key(.mutant(0)), ciRunID: 1, url: nil, slot: 0)]).0
        let (cancelled, _) = running.after([.superseded(by: "fff000")])
        let (same, none) = cancelled.after([.ciFinished(run.key(.mutant(0)), .failed, ciRunID: 1, url: nil)])
        // A running one gave its slot back through its cancel: nothing more.
        #expect(same == cancelled && none.isEmpty)
    }

    @Test func `closing the pull request cancels the workflow`() {
        let (run, _) = Run.mutating(2)
        let (closed, effects) = run.after([.closed])
        #expect(closed.status == .cancelled)
        #expect(effects.report?.conclusion == .cancelled)
        #expect(effects.cancelled.count == 2)
    }

    @Test func `a permanent failure ends the workflow without a report`() {
        let (run, _) = Run.mutating(2)
        let (failed, effects) = run.after([.failed(reason: "repository not found")])
        #expect(failed.status == .failed)
        #expect(failed.phase == .done)
        #expect(effects.report == nil)
    }

    @Test func `a PR with nothing to mutate completes as inconclusive`() {
        let (started, _) = Run.started()
        let (run, effects) = started.after([
            .filesListed([addedFile("README.md", ["Docs only"])]),
            .ciFinished(started.key(.baseline), .passed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), RunResults()),
        ])
        #expect(run.status == .inconclusive)
        #expect(effects.report?.summary.contains("no line") == true)
    }

    @Test(arguments: 1...6)
    func `the number of jobs in flight never exceeds the limit`(limit: Int) {
        var (run, _) = Run.mutating(10, settings: Settings(maxConcurrentJobs: limit))
        var step = 0
        while let job = run.mutants.first(where: \.status.isInFlight) {
            #expect(run.mutants.filter(\.status.isInFlight).count <= limit)
            let events =
                step % 3 == 0
                ? [.ciFinished(job.key(in: run), .passed, ciRunID: nil, url: nil)] : killed(job.key(in: run))
            (run, _) = run.after(events, at: t0.adding(seconds: Int64(step)))
            step += 1
        }
        #expect(run.mutants.allSatisfy { $0.status.isFinal })
        #expect(run.phase == .reporting)
    }
}

extension Job {
    func key(in run: Run) -> JobKey { JobKey(tenant: run.tenant, workflow: run.id, job: name, attempt: attempt) }
}

struct FailureInspectionTests {
    @Test func `a failed run is inspected before it counts, and frees its slot at once`() {
        let (run, _) = Run.mutating(3, settings: Settings(maxConcurrentJobs: 2))
        let (inspecting, effects) = run.after([.ciFinished(run.key(.mutant(0)), .failed, ciRunID: 77, url: nil)])
        #expect(inspecting.mutants[0].status == .inspecting)
        #expect(
            effects.contains(
                .readResults(
                    run.key(.mutant(0)), samplePR, ciRunID: 77, readSteps: true, paths: ["Sources/App/Rules.swift"])))
        #expect(effects.dispatched == [run.key(.mutant(2))])
        let (again, none) = inspecting.after([.ciFinished(run.key(.mutant(0)), .failed, ciRunID: 77, url: nil)])
        #expect(none.isEmpty && again == inspecting)
    }

    @Test func `a mutant that did not apply is errored, not killed, and not retried`() {
        let (run, _) = Run.mutating(1, settings: Settings(maxConcurrentJobs: 1))
        let (done, effects) = run.after([
            .ciFinished(run.key(.mutant(0)), .failed, ciRunID: 7, url: nil),
            .inspected(run.key(.mutant(0)), testsFailed: false, reason: "the mutant did not apply"),
        ])
        #expect(done.mutants[0].status == .errored)
        #expect(done.mutants[0].attempts.last?.result == .infrastructure("the mutant did not apply"))
        #expect(effects.dispatched.isEmpty)
        #expect(effects.report?.errored == 1)
        #expect(effects.report?.conclusion == .neutral)
    }

    @Test func `a baseline run's results are read without its steps, green or red`() {
        let (started, _) = Run.started()
        for conclusion in [CIConclusion.passed, .failed] {
            let (run, effects) = started.after([.ciFinished(started.key(.baseline), conclusion, ciRunID: 1, url: nil)])
            #expect(run.baseline.status == .inspecting)
            #expect(
                effects.contains(
                    .readResults(started.key(.baseline), samplePR, ciRunID: 1, readSteps: false, paths: nil)))
        }
    }
}

struct LostWebhookTests {
    @Test func `a job past its deadline is asked about first, and a lost completion is applied`() {
        let (run, _) = Run.mutating(1, settings: Settings(maxConcurrentJobs: 1, jobTimeoutSeconds: 600))
        let (asking, _) = run.after([.tick], at: t0.adding(seconds: 660))
        #expect(asking.mutants[0].polling == true)
        #expect(asking.deadline == t0.adding(seconds: 660 + Run.pollGraceSeconds))
        let (done, effects) = asking.after([.polled(run.key(.mutant(0)), .passed)], at: t0.adding(seconds: 661))
        #expect(done.mutants[0].status == .passed)
        #expect(effects.cancelled.isEmpty)
        #expect(effects.report?.survived == 1)
    }

    @Test func `no answer from the CI within the grace period times the job out`() {
        let settings = Settings(maxConcurrentJobs: 1, jobTimeoutSeconds: 600, retryBaseSeconds: 0)
        let (run, _) = Run.mutating(1, settings: settings)
        let (asking, _) = run.after([.tick], at: t0.adding(seconds: 660))
        let (retried, effects) = asking.after([.tick], at: t0.adding(seconds: 660 + Run.pollGraceSeconds))
        #expect(effects.cancelled == [run.key(.mutant(0))])
        #expect(effects.dispatched == [run.key(.mutant(0), attempt: 2)])
        #expect(retried.mutants[0].polling == nil)
    }

    @Test func `an answer about an old attempt changes nothing`() {
        let settings = Settings(maxConcurrentJobs: 1, jobTimeoutSeconds: 600, retryBaseSeconds: 0)
        let (run, _) = Run.mutating(1, settings: settings)
        let (retried, _) = run.after([.tick, .polled(run.key(.mutant(0)), nil)], at: t0.adding(seconds: 660))
        let (same, none) = retried.after([.polled(run.key(.mutant(0)), .failed)])
        #expect(none.isEmpty && same == retried)
    }
}
