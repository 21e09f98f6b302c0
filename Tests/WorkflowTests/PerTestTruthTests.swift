import Testing
import Workflow

/// Transcripts of the statuses a mutant can end with, from per-test results.
struct PerTestTruthTests {
    static let suite = ["Cart.adds", "Cart.totals", "Cart.flaky", "Cart.broken"]

    /// Baseline results: every suite test passed but those that failed.
    static func baselineResults(failing: Set<String>, coverage: LineCoverage? = nil) -> RunResults {
        RunResults(tests: TestOutcomes(passed: Set(suite).subtracting(failing), failed: failing), coverage: coverage)
    }

    /// Results of a mutant run in which `failing` failed.
    static func results(failing: Set<String>) -> RunResults {
        RunResults(tests: TestOutcomes(passed: Set(suite).subtracting(failing), failed: failing))
    }

    static let settings = Settings(maxConcurrentJobs: 4, maxAttempts: 2, retryBaseSeconds: 10, baselineRuns: 2)

    /// Two baseline runs: `Cart.broken` fails in both, `Cart.flaky` in the second only; `mutants`
    /// mutants planned on lines 1…n of Rules.swift, `uncovered` lines of them with no hits.
    static func measuring(_ mutants: Int, uncovered: Set<Int> = []) -> (Run, [Effect]) {
        let (started, _) = Run.started(settings: settings)
        let path = "Sources/App/Rules.swift"
        let known = Set(1...mutants)
        let coverage = LineCoverage(
            covered: ["/home/runner/work/shop/shop/" + path: known.subtracting(uncovered)],
            known: ["/home/runner/work/shop/shop/" + path: known])
        return started.after([
            .filesListed([mutableFile(path, count: mutants)]),
            .ciFinished(started.key(.baseline), .failed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), baselineResults(failing: ["Cart.broken"], coverage: coverage)),
            .ciFinished(started.key(.baselineRun(2)), .failed, ciRunID: 2, url: nil),
            .resultsRead(started.key(.baselineRun(2)), baselineResults(failing: ["Cart.broken", "Cart.flaky"])),
        ])
    }

    @Test func `the baseline runs as often as the settings say, at once, and the plan waits for all of them`() {
        let (started, effects) = Run.started(settings: Self.settings)
        #expect(effects.dispatched == [started.key(.baseline), started.key(.baselineRun(2))])
        let (halfway, more) = started.after([
            .filesListed([mutableFile(count: 3)]),
            .ciFinished(started.key(.baseline), .passed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), Self.baselineResults(failing: [])),
        ])
        #expect(halfway.plan == nil && halfway.phase == .baseline)
        #expect(more.dispatched.isEmpty)
    }

    @Test func `a broken test and a flaky one are learned, and the measurement goes on without them`() {
        let (run, effects) = Self.measuring(3)
        #expect(run.phase == .mutants)
        #expect(run.baselineTests?.excluded == ["Cart.broken"])
        #expect(run.baselineTests?.flaky == ["Cart.flaky"])
        #expect(run.baselineTests?.reliable == ["Cart.adds", "Cart.totals"])
        #expect(effects.dispatched.count == 3)
    }

    @Test func `a killed mutant names the reliable tests that failed, never the unstable ones`() {
        let (run, _) = Self.measuring(1)
        let key = run.key(.mutant(0))
        let (done, effects) = run.after([
            .ciFinished(key, .failed, ciRunID: 9, url: nil),
            .resultsRead(key, Self.results(failing: ["Cart.totals", "Cart.flaky", "Cart.broken"])),
        ])
        #expect(done.mutants[0].mutantStatus == .killed)
        #expect(done.mutants[0].result?.killedBy == ["Cart.totals"])
        let summary = effects.report?.summary ?? ""
        #expect(summary.contains("`Cart.totals`"))
        #expect(summary.contains("**Unstable tests**") && summary.contains("`Cart.flaky`"))
        #expect(summary.contains("**Excluded tests**") && summary.contains("`Cart.broken`"))
    }

    @Test func `killing tests are kept to twenty by name, with their count`() {
        let many = Set((0..<30).map { "Big.test\($0)" })
        let baseline = BaselineTests([TestOutcomes(passed: many)])
        let verdict = Settlement.settle(
            RunResults(tests: TestOutcomes(failed: many)), baseline: baseline, rechecked: false)
        guard case .settled(let result) = verdict else {
            Issue.record("not settled: \(verdict)")
            return
        }
        #expect(result.killedBy.count == Verdict.limit && result.killCount == 30)
        #expect(result.killedBy == many.sorted().prefix(20).map { $0 })
    }

    @Test func `a mutant that fails only unstable tests runs once more, then survives with a note`() {
        let (run, _) = Self.measuring(1)
        let first = run.key(.mutant(0))
        let (again, effects) = run.after([
            .ciFinished(first, .failed, ciRunID: 9, url: nil),
            .resultsRead(first, Self.results(failing: ["Cart.flaky", "Cart.broken"])),
        ])
        #expect(effects.dispatched == [run.key(.mutant(0), attempt: 2)])
        let second = run.key(.mutant(0), attempt: 2)
        let (done, final) = again.after([
            .ciFinished(second, .failed, ciRunID: 10, url: nil),
            .resultsRead(second, Self.results(failing: ["Cart.flaky"])),
        ])
        #expect(done.mutants[0].mutantStatus == .survived)
        #expect(done.mutants[0].result?.note == MutantResult.onlyUnstableFailed)
        #expect(final.report?.annotations.contains { $0.message.contains(MutantResult.onlyUnstableFailed) } == true)
    }

    @Test func `a mutant whose only failures are broken tests survives`() {
        let (run, _) = Self.measuring(1)
        let key = run.key(.mutant(0))
        let (done, _) = run.after([
            .ciFinished(key, .failed, ciRunID: 9, url: nil), .resultsRead(key, Self.results(failing: ["Cart.broken"])),
        ])
        #expect(done.mutants[0].mutantStatus == .survived)
    }

    @Test func `a run past its deadline after its retries is a timeout, and counts as detected`() {
        let settings = Settings(maxConcurrentJobs: 1, jobTimeoutSeconds: 60, maxAttempts: 1, baselineRuns: 1)
        let (dispatched, _) = Run.mutating(2, settings: settings)
        let (run, _) = dispatched.after([.dispatched(dispatched.key(.mutant(0)), ciRunID: 7, url: nil)], at: t0)
        let late = t0.adding(seconds: 60 + 61)
        let (asked, _) = run.after([.tick], at: late)
        let (timedOut, _) = asked.after([.polled(run.key(.mutant(0)), nil)], at: late)
        #expect(timedOut.mutants[0].mutantStatus == .timeout)
        let (done, effects) = timedOut.after([.ciFinished(run.key(.mutant(1)), .passed, ciRunID: 3, url: nil)])
        #expect(done.statuses == [.timeout, .survived])
        #expect(effects.report?.score == 0.5)
    }

    @Test func `a mutant that did not apply is a compile error, out of the score`() {
        let (run, _) = Self.measuring(2)
        let (done, effects) = run.after([
            .ciFinished(run.key(.mutant(0)), .failed, ciRunID: 9, url: nil),
            .resultsRead(run.key(.mutant(0)), RunResults(applied: false, note: Run.didNotApply)),
            .ciFinished(run.key(.mutant(1)), .passed, ciRunID: 10, url: nil),
        ])
        #expect(done.statuses == [.compileError, .survived])
        #expect(effects.report?.score == 0)
        #expect(effects.report?.errored == 1)
    }

    @Test func `a failed run without test results, where the baseline had them, did not build`() {
        let (run, _) = Self.measuring(1)
        let key = run.key(.mutant(0))
        let (done, _) = run.after([
            .ciFinished(key, .failed, ciRunID: 9, url: nil),
            .resultsRead(key, RunResults(note: "the run uploaded no tinybug-results artifact")),
        ])
        #expect(done.mutants[0].mutantStatus == .compileError)
        #expect(done.mutants[0].result?.note?.contains("no tinybug-results artifact") == true)
    }

    @Test func `infrastructure failures through every attempt are a runtime error, out of the score`() {
        let (run, _) = Self.measuring(1)
        let first = run.key(.mutant(0))
        let (retrying, _) = run.after([.ciFinished(first, .infrastructure("startup_failure"), ciRunID: 9, url: nil)])
        let (redispatched, _) = retrying.after([.tick], at: t0.adding(seconds: 400))
        let second = run.key(.mutant(0), attempt: 2)
        let (done, effects) = redispatched.after([
            .ciFinished(second, .infrastructure("startup_failure"), ciRunID: 10, url: nil)
        ])
        #expect(done.mutants[0].mutantStatus == .runtimeError)
        #expect(effects.report?.conclusion == .neutral)
    }

    @Test func `uncovered lines are NoCoverage: no CI run, one notice per file, and a score over covered code`() {
        let (run, effects) = Self.measuring(4, uncovered: [2, 3])
        #expect(run.statuses == [.pending, .noCoverage, .noCoverage, .pending])
        #expect(effects.dispatched == [run.key(.mutant(0)), run.key(.mutant(3))])
        let (done, final) = run.after([
            .ciFinished(run.key(.mutant(0)), .failed, ciRunID: 3, url: nil),
            .resultsRead(run.key(.mutant(0)), Self.results(failing: ["Cart.adds"])),
            .ciFinished(run.key(.mutant(3)), .passed, ciRunID: 4, url: nil),
        ])
        #expect(done.statuses == [.killed, .noCoverage, .noCoverage, .survived])
        let report = final.report
        #expect(report?.score == 0.25)
        #expect(report?.coveredScore == 0.5)
        let notices = report?.annotations.filter { $0.level == .notice } ?? []
        #expect(notices.count == 1)
        #expect(notices.first?.message.contains("2, 3") == true)
        #expect(report?.summary.contains("Score on covered code | 50%") == true)
    }

    @Test func `a baseline red in every test, or red without naming a failing test, is inconclusive`() {
        let (started, _) = Run.started(settings: Settings(baselineRuns: 1))
        let everything = RunResults(tests: TestOutcomes(failed: Set(Self.suite)))
        let (allRed, _) = started.after([
            .filesListed([mutableFile(count: 2)]), .ciFinished(started.key(.baseline), .failed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), everything),
        ])
        #expect(allRed.status == .inconclusive)
        let (unexplained, _) = started.after([
            .filesListed([mutableFile(count: 2)]), .ciFinished(started.key(.baseline), .failed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), RunResults(tests: TestOutcomes(passed: Set(Self.suite)))),
        ])
        #expect(unexplained.status == .inconclusive)
    }

    @Test func `job names of later baseline runs go there and back`() {
        for text in ["base", "base2", "base5", "m0", "m12"] {
            #expect(JobName(Substring(text)).map(\.description) == text)
        }
        for text in ["base1", "base0", "base02", "basex", "m01", "m-1"] { #expect(JobName(Substring(text)) == nil) }
    }
}

/// The per-mutant time limit: from the baseline's test time to the dispatch, and back as Timeout.
struct MutantTimeLimitTests {
    @Test(arguments: [(30.0, 90), (5.0, 60), (100.4, 302)])
    func `a mutant's limit is three times the baseline's test time, at least a minute`(seconds: Double, limit: Int) {
        let (started, _) = Run.started()
        let tests = TestOutcomes(passed: ["A.a", "A.b"], seconds: seconds)
        let (run, effects) = started.after([
            .filesListed([mutableFile(count: 1)]), .ciFinished(started.key(.baseline), .passed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), RunResults(tests: tests)),
        ])
        #expect(run.baselineTests?.mutantTimeout == limit)
        let mutant = effects.compactMap { if case .dispatch(_, _, let mutant, _) = $0 { mutant } else { nil } }.first
        #expect(mutant?.timeout == limit)
        #expect(run.plan?.first?.timeout == nil)
    }

    @Test func `a run whose tests ran past the limit is a timeout`() {
        let (started, _) = Run.started()
        let (run, _) = started.after([
            .filesListed([mutableFile(count: 1)]), .ciFinished(started.key(.baseline), .passed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), RunResults(tests: TestOutcomes(passed: ["A.a"], seconds: 10))),
        ])
        let key = run.key(.mutant(0))
        let (done, effects) = run.after([
            .ciFinished(key, .failed, ciRunID: 2, url: nil),
            .resultsRead(key, RunResults(tests: TestOutcomes(passed: ["A.a"]), timedOut: true)),
        ])
        #expect(done.mutants[0].mutantStatus == .timeout)
        #expect(effects.report?.score == 1)
    }
}

/// What a review of the per-test change found, each kept from coming back.
struct PerTestReviewTests {
    @Test func `a late red answer for a baseline attempt that was given up still makes the baseline red`() {
        let settings = Settings(maxConcurrentJobs: 2, jobTimeoutSeconds: 60, maxAttempts: 3, baselineRuns: 1)
        let (started, _) = Run.started(settings: settings)
        let key = started.key(.baseline)
        let late = t0.adding(seconds: 60 + 121)
        let (asked, _) = started.after([.filesListed([mutableFile(count: 2)]), .tick], at: t0.adding(seconds: 61))
        let (gaveUp, _) = asked.after([.polled(key, nil)], at: late)
        #expect(gaveUp.baseline.status == .retrying)
        let (red, _) = gaveUp.after(
            [.ciFinished(key, .failed, ciRunID: 1, url: nil), .resultsRead(key, RunResults(note: "no artifact"))],
            at: late)
        #expect(red.status == .inconclusive)
    }

    @Test func `baseline results that name no test at all are no per-test results`() {
        let (started, _) = Run.started()
        let (run, _) = started.after([
            .filesListed([mutableFile(count: 1)]), .ciFinished(started.key(.baseline), .passed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), RunResults(tests: TestOutcomes())),
        ])
        #expect(run.phase == .mutants)
        #expect(run.baselineTests == nil)
    }

    @Test func `a run the CI never took is a runtime error, not a timeout`() {
        let settings = Settings(maxConcurrentJobs: 1, jobTimeoutSeconds: 60, maxAttempts: 1, baselineRuns: 1)
        let (run, _) = Run.mutating(1, settings: settings)
        let late = t0.adding(seconds: 60 + 61)
        let (asked, _) = run.after([.tick], at: late)
        let (gaveUp, _) = asked.after([.polled(run.key(.mutant(0)), nil)], at: late)
        #expect(gaveUp.mutants[0].mutantStatus == .runtimeError)
    }
}
