import Testing
import Workflow

/// Transcripts of several mutants per CI run: batches formed, each mutant settled from its own
/// results, the ones left without a result batched again.
struct BatchTests {
    static let suite = PerTestTruthTests.suite

    static func settings(perRun: Int, slots: Int = 2, attempts: Int = 3) -> Settings {
        Settings(
            maxConcurrentJobs: slots, maxAttempts: attempts, retryBaseSeconds: 10, baselineRuns: 1,
            mutantsPerRun: perRun)
    }

    /// A baseline with per-test results (every suite test passed) and `mutants` mutants planned in
    /// one file, then `second` more in another.
    static func measuring(_ mutants: Int, second: Int = 0, settings: Settings) -> (Run, [Effect]) {
        let (started, _) = Run.started(settings: settings)
        var files = [mutableFile("Sources/App/Rules.swift", count: mutants)]
        if second > 0 { files.append(mutableFile("Sources/App/Cart.swift", count: second)) }
        return started.after([
            .filesListed(files),
            .ciFinished(started.key(.baseline), .passed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), PerTestTruthTests.baselineResults(failing: [])),
        ])
    }

    /// One mutant's results in a batch: its tests, with `failing` failed.
    static func member(_ tests: MemberResult.Tests, failing: Set<String> = [], applied: Bool = true) -> MemberResult {
        MemberResult(
            applied: applied, tests: tests, seconds: 12,
            outcomes: TestOutcomes(passed: Set(suite).subtracting(failing), failed: failing))
    }

    static func batch(_ effects: [Effect]) -> [[Int]] {
        effects.compactMap { if case .dispatch(_, _, _, let batch?) = $0 { batch.map(\.id) } else { nil } }
    }

    @Test func `waiting mutants are grouped into batches of the configured size, one slot each`() {
        let (run, effects) = Self.measuring(7, settings: Self.settings(perRun: 3))
        #expect(effects.dispatched == [run.key(.batch(0)), run.key(.batch(1))])
        #expect(Self.batch(effects) == [[0, 1, 2], [3, 4, 5]])
        #expect(run.mutants[0...5].allSatisfy { $0.status == .batched })
        #expect(run.mutants[6].status == .pending)
        #expect(run.batches?.map(\.members) == [[0, 1, 2], [3, 4, 5]])
    }

    @Test func `a file's mutants go together, and a batch is filled from the next file`() {
        let (_, effects) = Self.measuring(2, second: 3, settings: Self.settings(perRun: 3, slots: 4))
        #expect(Self.batch(effects) == [[0, 1, 2], [3, 4]])
    }

    @Test func `each mutant of a batch is settled from its own results, whatever the run's conclusion`() {
        let (run, _) = Self.measuring(3, settings: Self.settings(perRun: 3, slots: 1))
        let key = run.key(.batch(0))
        let results = RunResults(members: [
            0: Self.member(.failed, failing: ["Cart.adds"]), 1: Self.member(.passed),
            2: Self.member(.failed, applied: false),
        ])
        let (finished, effects) = run.after([.ciFinished(key, .passed, ciRunID: 9, url: nil)])
        #expect(effects.contains(.releaseSlot(key)))
        #expect(effects.contains { if case .readResults(key, _, _, false, _) = $0 { true } else { false } })
        let (done, reported) = finished.after([.resultsRead(key, results)])
        #expect(done.mutants.map { $0.result?.status } == [.killed, .survived, .compileError])
        #expect(done.mutants[0].result?.killedBy == ["Cart.adds"])
        #expect(reported.report?.killed == 1)
        #expect(reported.report?.summary.contains("in 1 run of up to 3 mutants each") == true)
        #expect(done.mutants.allSatisfy { $0.attempts.count == 1 })
    }

    @Test func `a mutant its batch left without a result goes into a later batch, and runs only there`() {
        let (run, _) = Self.measuring(4, settings: Self.settings(perRun: 3, slots: 1))
        let key = run.key(.batch(0))
        // The run was cancelled half-way: m0 has a result, m1 none, m2's outcome said its tests errored.
        let (next, effects) = run.after([
            .ciFinished(key, .infrastructure("cancelled"), ciRunID: 9, url: nil),
            .resultsRead(key, RunResults(members: [0: Self.member(.passed), 2: Self.member(.error)])),
        ])
        #expect(next.mutants[0].result?.status == .survived)
        #expect(Self.batch(effects) == [[1, 2, 3]])
        #expect(next.mutants[1].attempts.map(\.result) == [.infrastructure(Run.noResult), nil])
        #expect(next.batches?[0].status == .passed)
        #expect(next.batches?[0].attempts.first?.result == .cancelled)
    }

    @Test func `results for a mutant outside the batch, or settled already, change nothing`() {
        let (run, _) = Self.measuring(4, settings: Self.settings(perRun: 2, slots: 1))
        let first = run.key(.batch(0))
        let (settled, _) = run.after([
            .ciFinished(first, .passed, ciRunID: 9, url: nil),
            .resultsRead(first, RunResults(members: [0: Self.member(.passed), 1: Self.member(.passed)])),
        ])
        let second = settled.key(.batch(1))
        let (later, _) = settled.after([
            .ciFinished(second, .passed, ciRunID: 10, url: nil),
            .resultsRead(
                second,
                RunResults(members: [
                    0: Self.member(.failed, failing: ["Cart.adds"]), 2: Self.member(.passed),
                    3: Self.member(.timeout), 7: Self.member(.failed, failing: ["Cart.adds"]),
                ])),
        ])
        #expect(later.mutants.map { $0.result?.status } == [.survived, .survived, .survived, .timeout])
        // A second word about the same batch changes nothing either.
        let (again, none) = later.after([
            .resultsRead(second, RunResults(members: [3: Self.member(.failed, failing: ["Cart.adds"])]))
        ])
        #expect(again == later && none.isEmpty)
    }

    @Test func `a batch past its deadline is cancelled and its mutants wait for later batches`() {
        let settings = Settings(
            maxConcurrentJobs: 1, jobTimeoutSeconds: 600, maxAttempts: 2, retryBaseSeconds: 0, baselineRuns: 1,
            mutantsPerRun: 2)
        let (run, _) = Self.measuring(2, settings: settings)
        let key = run.key(.batch(0))
        let (running, _) = run.after([.dispatched(key, ciRunID: 9, url: nil, slot: 0)])
        let late = t0.adding(seconds: 120 + 601)
        let (polling, asked) = Run.transition(running, .tick, now: late)
        #expect(asked.contains(.poll(key, samplePR, ciRunID: 9)))
        let (retried, effects) = Run.transition(polling, .polled(key, nil), now: late)
        #expect(effects.contains(.cancel(key, samplePR, ciRunID: 9, slot: 0)))
        #expect(Self.batch(effects) == [[0, 1]])
        #expect(retried.batches?[0].status == .errored)
        // Their second batch also runs past its deadline: that was their last attempt.
        let again = retried.key(.batch(1))
        let (stuck, _) = retried.after([.dispatched(again, ciRunID: 10, url: nil, slot: 0)], at: late)
        let later = late.adding(seconds: 601)
        let (polled, _) = Run.transition(stuck, .tick, now: later)
        let (ended, reported) = Run.transition(polled, .polled(again, nil), now: later)
        #expect(ended.mutants.map { $0.result?.status } == [.timeout, .timeout])
        #expect(reported.report != nil)
    }

    @Test func `a batch refused a slot waits, and its mutants' attempts are undone with it`() {
        let (run, effects) = Self.measuring(2, settings: Self.settings(perRun: 2, slots: 1))
        let key = run.key(.batch(0))
        #expect(effects.dispatched == [key])
        let (queued, _) = run.after([.queued(key, until: nil)])
        #expect(queued.batches?[0].status == .queued)
        #expect(queued.mutants.allSatisfy { $0.attempts.isEmpty && $0.status == .batched })
        let (woken, again) = queued.after([.slotFreed])
        #expect(again.dispatched == [key])
        #expect(woken.mutants.allSatisfy { $0.attempts.count == 1 })
    }

    @Test func `a mutant whose only failing tests are unstable runs once more in a later batch`() {
        let settings = Settings(maxConcurrentJobs: 4, maxAttempts: 2, baselineRuns: 2, mutantsPerRun: 2)
        let (started, _) = Run.started(settings: settings)
        let (run, _) = started.after([
            .filesListed([mutableFile(count: 2)]),
            .ciFinished(started.key(.baseline), .passed, ciRunID: 1, url: nil),
            .resultsRead(started.key(.baseline), PerTestTruthTests.baselineResults(failing: [])),
            .ciFinished(started.key(.baselineRun(2)), .failed, ciRunID: 2, url: nil),
            .resultsRead(started.key(.baselineRun(2)), PerTestTruthTests.baselineResults(failing: ["Cart.flaky"])),
        ])
        let key = run.key(.batch(0))
        let (next, effects) = run.after([
            .ciFinished(key, .passed, ciRunID: 9, url: nil),
            .resultsRead(
                key,
                RunResults(members: [0: Self.member(.failed, failing: ["Cart.flaky"]), 1: Self.member(.passed)])),
        ])
        #expect(Self.batch(effects) == [[0]])
        #expect(next.mutants[0].rechecked == true)
        let (done, _) = next.after([
            .ciFinished(next.key(.batch(1)), .passed, ciRunID: 10, url: nil),
            .resultsRead(next.key(.batch(1)), RunResults(members: [0: Self.member(.failed, failing: ["Cart.flaky"])])),
        ])
        #expect(done.mutants[0].result == MutantResult(.survived, note: MutantResult.onlyUnstableFailed))
    }

    @Test(arguments: [2, 3, 5])
    func `batches give each mutant the status one run per mutant gives it`(perRun: Int) {
        let outcomes: [Int: MemberResult] = Dictionary(
            uniqueKeysWithValues: (0..<9).map { id in
                let result: MemberResult =
                    switch id % 4 {
                    case 0: Self.member(.failed, failing: ["Cart.adds"])
                    case 1: Self.member(.passed)
                    case 2: Self.member(.failed, applied: false)
                    default: Self.member(.timeout)
                    }
                return (id, result)
            })
        let single = CIOracle(outcomes: outcomes).measure(Self.measuring(9, settings: Self.settings(perRun: 1)))
        let batched = CIOracle(outcomes: outcomes).measure(Self.measuring(9, settings: Self.settings(perRun: perRun)))
        #expect(single.mutants.map(\.result) == batched.mutants.map(\.result))
        #expect(single.status == .completed && batched.status == .completed)
        #expect(batched.batches?.count == (9 + perRun - 1) / perRun)
    }
}

/// Answers every dispatch at once from fixed per-mutant outcomes, as a CI that runs each mutant
/// of a batch in turn would, until the measurement completes.
struct CIOracle {
    let outcomes: [Int: MemberResult]

    func measure(_ start: (Run, [Effect])) -> Run {
        var (run, pending) = start
        var clock = t0.adding(seconds: 120)
        while let effect = pending.first {
            pending.removeFirst()
            guard case .dispatch(let key, _, let mutant, let batch) = effect else { continue }
            clock = clock.adding(seconds: 1)
            let events: [Event]
            if let batch {
                let members = Dictionary(
                    uniqueKeysWithValues: batch.compactMap { m in outcomes[m.id].map { (m.id, $0) } })
                events = [
                    .ciFinished(key, .passed, ciRunID: 1, url: nil), .resultsRead(key, RunResults(members: members)),
                ]
            } else {
                let own = mutant.flatMap { outcomes[$0.id] }
                let failed = own?.tests != .passed || own?.applied == false
                events = [
                    .ciFinished(key, failed ? .failed : .passed, ciRunID: 1, url: nil),
                    .resultsRead(
                        key,
                        RunResults(
                            applied: own?.applied ?? true, tests: own?.outcomes, timedOut: own?.tests == .timeout)),
                ]
            }
            for event in events {
                let (next, more) = Run.transition(run, event, now: clock)
                run = next
                pending += more
            }
        }
        return run
    }
}
