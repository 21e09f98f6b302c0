import Foundation
import Workflow

/// What one measurement costs in CI minutes and wall time with `k` mutants per CI run: the real
/// workflow (`Run.transition`, its quota, batching and settling) against a simulated CI on a
/// simulated clock, where a run takes its setup plus its tests' time per mutant (the baseline's
/// tests once).
struct BatchCost {
    var mutants = 20
    var setupSeconds: Int64 = 120
    var testSeconds: Int64 = 20
    var slots = 4
    var baselineRuns = 2

    struct Row {
        var mutantsPerRun: Int
        var ciRuns: Int
        var ciMinutes: Double
        var wallMinutes: Double
        var killed: Int
        var survived: Int
    }

    func rows(_ sizes: [Int] = [1, 2, 5, 10]) -> [Row] { sizes.map(measure) }

    /// One measurement with `perRun` mutants per run, every dispatch answered when its run ends.
    func measure(perRun: Int) -> Row {
        let settings = Settings(
            maxMutants: mutants, maxConcurrentJobs: slots, jobTimeoutSeconds: 3 * 3600, retryBaseSeconds: 0,
            baselineRuns: baselineRuns, mutantsPerRun: perRun)
        let start = Instant.seconds(1_767_225_600)
        var (run, effects) = Run.start(
            id: "bench--batches--pr1--000000000000", tenant: "bench",
            pullRequest: PullRequest(owner: "bench", repo: "batches", number: 1, headSHA: "0000000", headRef: "x"),
            settings: settings, now: start)
        (run, effects) = Self.apply(run, .filesListed([LoadBenchmark.file(lines: mutants)]), at: start, effects)
        var endings: [(at: Instant, key: JobKey, batch: [Mutant]?)] = []
        var (runs, seconds) = (0, Int64(0))
        var now = start
        while true {
            for effect in effects {
                guard case .dispatch(let key, _, let mutant, let batch) = effect else { continue }
                let tests =
                    key.job.isBaseline ? testSeconds : testSeconds * Int64(batch?.count ?? (mutant == nil ? 0 : 1))
                endings.append((now.adding(seconds: setupSeconds + tests), key, batch))
                runs += 1
                seconds += setupSeconds + tests
            }
            effects = []
            guard let next = endings.indices.min(by: { endings[$0].at < endings[$1].at }) else { break }
            let ending = endings.remove(at: next)
            now = ending.at
            for event in Self.answer(ending.key, batch: ending.batch) {
                (run, effects) = Self.apply(run, event, at: now, effects)
            }
        }
        return Row(
            mutantsPerRun: perRun, ciRuns: runs, ciMinutes: Double(seconds) / 60,
            wallMinutes: Double(now.milliseconds(since: start)) / 60_000, killed: run.report?.killed ?? 0,
            survived: run.report?.survived ?? 0)
    }

    static func apply(_ run: Run, _ event: Event, at now: Instant, _ effects: [Effect]) -> (Run, [Effect]) {
        let (next, more) = Run.transition(run, event, now: now)
        return (next, effects + more)
    }

    /// How a run ends: the baseline green, and a mutant killed when its id is not a multiple of three.
    static func answer(_ key: JobKey, batch: [Mutant]?) -> [Event] {
        let suite = TestOutcomes(passed: ["Rules.a", "Rules.b"])
        if key.job.isBaseline {
            return [.ciFinished(key, .passed, ciRunID: 1, url: nil), .resultsRead(key, RunResults(tests: suite))]
        }
        func failing(_ id: Int) -> Bool { id % 3 != 0 }
        let killed = TestOutcomes(passed: ["Rules.b"], failed: ["Rules.a"])
        if let batch {
            let members = Dictionary(
                uniqueKeysWithValues: batch.map {
                    ($0.id, MemberResult(applied: true, tests: failing($0.id) ? .failed : .passed, outcomes: killed))
                })
            return [.ciFinished(key, .passed, ciRunID: 1, url: nil), .resultsRead(key, RunResults(members: members))]
        }
        guard case .mutant(let id) = key.job, failing(id) else {
            return [.ciFinished(key, .passed, ciRunID: 1, url: nil)]
        }
        return [.ciFinished(key, .failed, ciRunID: 1, url: nil), .resultsRead(key, RunResults(tests: killed))]
    }
}
