/// A mutant's status as mutation testers report it (CONTRACT.md; Stryker's schema uses the same
/// words).
public enum MutantStatus: String, Codable, CaseIterable, Sendable {
    case killed = "Killed"
    case survived = "Survived"
    case timeout = "Timeout"
    case noCoverage = "NoCoverage"
    case compileError = "CompileError"
    case runtimeError = "RuntimeError"
    case ignored = "Ignored"
    case pending = "Pending"

    /// Detected by the tests: counts for the score.
    public var isDetected: Bool { self == .killed || self == .timeout }
    /// In the score's denominator: detected, survived or not covered.
    public var isValid: Bool { isDetected || self == .survived || self == .noCoverage }
}

/// What the baseline runs taught about the tests, from their JUnit outcomes.
public struct BaselineTests: Codable, Equatable, Sendable {
    /// Tests that failed in at least one baseline run: they never count as a kill.
    public var unstable: Set<String>
    /// Tests that failed in every baseline run: broken before any mutant.
    public var broken: Set<String>
    /// Tests that passed in every baseline run: the only ones whose failure kills a mutant.
    public var reliable: Set<String>
    /// The longest any baseline run's test command took (its `outcome.json`).
    public var seconds: Double?

    public init(_ runs: [TestOutcomes]) {
        let failedAnywhere = runs.reduce(into: Set<String>()) { $0.formUnion($1.failed) }
        broken = runs.first.map { first in runs.dropFirst().reduce(first.failed) { $0.intersection($1.failed) } } ?? []
        unstable = failedAnywhere
        let passedAnywhere = runs.reduce(into: Set<String>()) { $0.formUnion($1.passed) }
        reliable = passedAnywhere.filter { test in runs.allSatisfy { $0.passed.contains(test) } }
        seconds = runs.compactMap(\.seconds).max()
    }

    /// A mutant's time limit: three times the baseline's test command time, at least 60 s (nil
    /// when the baseline's results gave no time: the job's own timeout then applies).
    public var mutantTimeout: Int? { seconds.map { max(60, Int((3 * $0).rounded(.up))) } }

    /// The baseline can serve when some test passed in every run: its failing tests are then
    /// broken (excluded, and named in the report) or flaky (never a kill), and the measurement goes
    /// on with the reliable ones.
    public var usable: Bool { !reliable.isEmpty }

    /// Broken tests, excluded from the measurement.
    public var excluded: Set<String> { broken }
    /// Flaky tests: failed in some baseline runs, not all.
    public var flaky: Set<String> { unstable.subtracting(broken) }
}

/// How one run of a mutant is judged from its tests.
public enum Verdict: Equatable, Sendable {
    /// Tests that passed in every baseline run failed. `killedBy` keeps at most `limit` names,
    /// sorted; `count` is how many there were.
    case killed(by: [String], count: Int)
    /// The only failing tests are unstable ones: the mutant runs once more before it is called
    /// survived ("only unstable tests failed").
    case onlyUnstableFailed
    /// No reliable test failed.
    case survived

    /// How many killing tests a verdict keeps by name.
    public static let limit = 20

    /// Judges a mutant's test outcomes against what the baseline taught.
    public static func judge(_ mutant: TestOutcomes, baseline: BaselineTests) -> Verdict {
        let killing = mutant.failed.intersection(baseline.reliable)
        if !killing.isEmpty { return .killed(by: Array(killing.sorted().prefix(limit)), count: killing.count) }
        // Broken tests fail whatever the code; they say nothing about the mutant.
        let relevant = mutant.failed.subtracting(baseline.broken)
        if !relevant.isEmpty, relevant.isSubset(of: baseline.flaky) { return .onlyUnstableFailed }
        // Tests the baseline never saw pass every time cannot kill either.
        return .survived
    }
}

/// The contract's scores over a measurement's statuses.
public enum MutationScore {
    /// (Killed + Timeout) / (Killed + Timeout + Survived + NoCoverage); nil when nothing is valid.
    public static func overall(_ statuses: [MutantStatus]) -> Double? {
        ratio(statuses.filter(\.isDetected).count, statuses.filter(\.isValid).count)
    }

    /// The same over covered code: NoCoverage left out of the denominator.
    public static func covered(_ statuses: [MutantStatus]) -> Double? {
        ratio(statuses.filter(\.isDetected).count, statuses.filter { $0.isValid && $0 != .noCoverage }.count)
    }

    static func ratio(_ detected: Int, _ valid: Int) -> Double? { valid == 0 ? nil : Double(detected) / Double(valid) }
}

/// How a failed mutant run's results settle the mutant.
public enum Settlement: Equatable, Sendable {
    case settled(MutantResult)
    /// Only unstable tests failed: one more run decides.
    case runAgain

    /// Settles a mutant from its failed run's results and what the baseline taught (nil: the
    /// baseline brought no per-test results, so the run's steps decide, as before artifacts).
    public static func settle(_ results: RunResults, baseline: BaselineTests?, rechecked: Bool) -> Settlement {
        guard results.applied else { return .settled(MutantResult(.compileError, note: Run.didNotApply)) }
        if results.timedOut == true {
            return .settled(MutantResult(.timeout, note: MutantResult.ranPastTimeLimit))
        }
        guard let baseline else {
            let failed = results.tests?.failed.sorted() ?? []
            return .settled(
                MutantResult(
                    .killed, killedBy: Array(failed.prefix(Verdict.limit)), killCount: failed.count,
                    note: "judged by its steps: the baseline brought no per-test results"))
        }
        guard let tests = results.tests, !tests.failed.isEmpty || tests.truncated else {
            // The baseline's runs wrote results; this one failed before any test did.
            let why = results.note.map { " (\($0))" } ?? ""
            return .settled(
                MutantResult(
                    .compileError, note: "the run failed without a failing test: the mutant did not build" + why))
        }
        switch Verdict.judge(tests, baseline: baseline) {
        case .killed(let by, let count):
            return .settled(MutantResult(.killed, killedBy: by, killCount: count))
        case _ where tests.truncated:
            return .settled(
                MutantResult(.runtimeError, note: "the results were cut at the reading bound before a killing test"))
        case .onlyUnstableFailed:
            return rechecked ? .settled(MutantResult(.survived, note: MutantResult.onlyUnstableFailed)) : .runAgain
        case .survived:
            // Broken tests fail whatever the code: a survivor whose only failures are theirs is a
            // plain survivor. Other failures are tests the baseline never saw pass every time.
            let unknown = tests.failed.subtracting(baseline.unstable).sorted()
            let note =
                unknown.isEmpty
                ? nil
                : "the tests that failed never passed in a baseline run: " + unknown.prefix(3).joined(separator: ", ")
            return .settled(MutantResult(.survived, note: note))
        }
    }
}

extension Settlement {
    /// Settles one mutant of a batch from its own results; nil when they say nothing of its tests
    /// (`"tests": "error"`), and it waits for a later batch. A batch's conclusion decides nothing.
    public static func settle(_ member: MemberResult, baseline: BaselineTests?, rechecked: Bool) -> Settlement? {
        guard member.applied else { return .settled(MutantResult(.compileError, note: Run.didNotApply)) }
        switch member.tests {
        case .error:
            return nil
        case .timeout:
            return .settled(MutantResult(.timeout, note: MutantResult.ranPastTimeLimit))
        case .passed:
            return .settled(MutantResult(.survived))
        case .failed:
            return settle(
                RunResults(applied: true, tests: member.outcomes, note: member.note), baseline: baseline,
                rechecked: rechecked)
        }
    }
}

extension MutantStatus {
    /// The job state that goes with a settled status.
    var jobStatus: JobStatus {
        switch self {
        case .killed: .failed
        case .survived: .passed
        case .noCoverage: .notCovered
        case .pending, .ignored: .cancelled
        case .timeout, .compileError, .runtimeError: .errored
        }
    }
}
