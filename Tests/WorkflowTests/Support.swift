import Testing
import Workflow

let t0 = Instant.seconds(1_767_225_600)
let samplePR = PullRequest(owner: "acme", repo: "shop", number: 7, headSHA: "abc1234def5678", headRef: "feature")

/// A patch adding `lines` as lines 1…n of `path`.
func addedFile(_ path: String, _ lines: [String]) -> ChangedFile {
    ChangedFile(path: path, patch: "@@ -0,0 +1,\(lines.count) @@\n" + lines.map { "+" + $0 }.joined(separator: "\n"))
}

/// A file whose planner yields exactly `count` mutants (one `==` per line).
func mutableFile(_ path: String = "Sources/App/Rules.swift", count: Int) -> ChangedFile {
    addedFile(path, (0..<count).map { "let ok\($0) = a == \($0)" })
}

extension Run {
    static func started(settings: Settings = .oneBaseline) -> (
        Run, [Effect]
    ) {
        Run.start(
            id: "acme--shop--pr7--abc1234def56", tenant: "acme", pullRequest: samplePR, settings: settings, now: t0)
    }

    /// A run whose baseline passed and whose `mutants` mutants are planned, with the first slots dispatched.
    static func mutating(
        _ mutants: Int, settings: Settings = .oneBaseline
    ) -> (Run, [Effect]) {
        var (run, _) = started(settings: settings)
        (run, _) = Run.transition(run, .filesListed([mutableFile(count: mutants)]), now: t0)
        let later = run.baselines.dropLast().map(\.name)
        for name in later {
            (run, _) = run.after(
                [.ciFinished(run.key(name), .passed, ciRunID: 1, url: nil), .resultsRead(run.key(name), RunResults())],
                at: t0.adding(seconds: 60))
        }
        let last = run.baselines[run.baselines.count - 1].name
        (run, _) = Run.transition(
            run, .ciFinished(run.key(last), .passed, ciRunID: 1, url: nil), now: t0.adding(seconds: 60))
        return Run.transition(run, .resultsRead(run.key(last), RunResults()), now: t0.adding(seconds: 60))
    }

    func key(_ job: JobName, attempt: Int = 1) -> JobKey {
        JobKey(tenant: tenant, workflow: id, job: job, attempt: attempt)
    }

    /// Applies events in order, returning the final state and every effect.
    func after(_ events: [Event], at now: Instant = t0.adding(seconds: 120)) -> (Run, [Effect]) {
        events.reduce((self, [Effect]())) { acc, event in
            let (next, effects) = Run.transition(acc.0, event, now: now)
            return (next, acc.1 + effects)
        }
    }
}

/// A mutant's CI run failed and its test step was the one that failed.
func killed(_ key: JobKey) -> [Event] {
    [.ciFinished(key, .failed, ciRunID: nil, url: nil), .resultsRead(key, RunResults())]
}

extension Settings {
    /// The transcripts' settings: two slots, three attempts, one baseline run.
    static let oneBaseline = Settings(maxConcurrentJobs: 2, maxAttempts: 3, retryBaseSeconds: 10, baselineRuns: 1)
}

extension Array where Element == Effect {
    var dispatched: [JobKey] {
        compactMap { if case .dispatch(let key, _, _, _) = $0 { key } else { nil } }
    }
    var cancelled: [JobKey] {
        compactMap { if case .cancel(let key, _, _, _) = $0 { key } else { nil } }
    }
    var report: Report? {
        compactMap { if case .completeCheckRun(_, _, _, let report) = $0 { report } else { nil } }.first
    }
}
