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

    public init(_ runs: [TestOutcomes]) {
        let failedAnywhere = runs.reduce(into: Set<String>()) { $0.formUnion($1.failed) }
        broken = runs.first.map { first in runs.dropFirst().reduce(first.failed) { $0.intersection($1.failed) } } ?? []
        unstable = failedAnywhere
        let passedAnywhere = runs.reduce(into: Set<String>()) { $0.formUnion($1.passed) }
        reliable = passedAnywhere.filter { test in runs.allSatisfy { $0.passed.contains(test) } }
    }

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
