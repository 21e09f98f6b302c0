/// What a CI run's results artifact says about its tests, as small facts: which tests passed and
/// which failed, never the whole report. A document stays small however big the suite is.
public struct TestOutcomes: Codable, Equatable, Sendable {
    /// Tests named `classname.name` (or `name` without a classname) that passed.
    public var passed: Set<String>
    /// Tests that had a `<failure>` or an `<error>`.
    public var failed: Set<String>
    /// Test cases past the reading bound were not read; the outcome is then partial.
    public var truncated: Bool
    /// How long the test command took (its `outcome.json`), build included.
    public var seconds: Double?

    public init(passed: Set<String> = [], failed: Set<String> = [], truncated: Bool = false, seconds: Double? = nil) {
        self.passed = passed
        self.failed = failed
        self.truncated = truncated
        self.seconds = seconds
    }

    /// The outcomes of several JUnit files of one run: a test that failed in any of them failed.
    public func merged(with other: TestOutcomes) -> TestOutcomes {
        let failed = failed.union(other.failed)
        let seconds = seconds.map { $0 + (other.seconds ?? 0) } ?? other.seconds
        return TestOutcomes(
            passed: passed.union(other.passed).subtracting(failed), failed: failed,
            truncated: truncated || other.truncated, seconds: seconds)
    }
}

/// Which lines of which files any test executed, from a baseline's coverage report.
public struct LineCoverage: Codable, Equatable, Sendable {
    /// Repository-relative path → line numbers executed at least once.
    public var covered: [String: Set<Int>]
    /// Repository-relative path → line numbers the report knows of (executed or not).
    public var known: [String: Set<Int>]

    public init(covered: [String: Set<Int>] = [:], known: [String: Set<Int>] = [:]) {
        self.covered = covered
        self.known = known
    }

    /// Whether the report speaks of `line` of `path`, and if so whether a test ran it.
    public func isCovered(_ path: String, line: Int) -> Bool? {
        guard let lines = known[path], lines.contains(line) else { return nil }
        return covered[path]?.contains(line) ?? false
    }

    /// Both reports' lines together (several coverage files of one run).
    public func merged(with other: LineCoverage) -> LineCoverage {
        LineCoverage(
            covered: covered.merging(other.covered) { $0.union($1) }, known: known.merging(other.known) { $0.union($1) }
        )
    }

    /// The report's paths made repository-relative: an absolute path (or one under a checkout
    /// folder) becomes the `repositoryPaths` entry it ends with; a path that escapes the repository
    /// (`..`, or absolute with no match) is dropped.
    public func relative(to repositoryPaths: Set<String>) -> LineCoverage {
        var result = LineCoverage()
        for (path, lines) in known {
            guard let relative = Self.repositoryPath(path, repositoryPaths) else { continue }
            result.known[relative, default: []].formUnion(lines)
            result.covered[relative, default: []].formUnion(covered[path] ?? [])
        }
        return result
    }

    static func repositoryPath(_ path: String, _ repositoryPaths: Set<String>) -> String? {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard !parts.contains("..") else { return nil }
        if !path.hasPrefix("/"), repositoryPaths.contains(parts.joined(separator: "/")) {
            return parts.joined(separator: "/")
        }
        // Longest suffix first: `/home/runner/work/shop/shop/Sources/A.swift` → `Sources/A.swift`.
        while !parts.isEmpty {
            let candidate = parts.joined(separator: "/")
            if repositoryPaths.contains(candidate) { return candidate }
            parts.removeFirst()
        }
        return nil
    }
}

/// What was read back from a finished CI run: whether the mutant applied, and its results
/// artifact's facts when it had one.
public struct RunResults: Codable, Equatable, Sendable {
    /// False when the step that applies the mutant failed: the tests never ran on it.
    public var applied: Bool
    /// The JUnit outcomes; nil when the run had no readable results.
    public var tests: TestOutcomes?
    /// The coverage (baselines); nil when the run brought none.
    public var coverage: LineCoverage?
    /// Why a part of the results is missing (no artifact, an unreadable file…), for the history.
    public var note: String?
    /// The run's `outcome.json` says its tests ran past the mutant's time limit.
    public var timedOut: Bool?
    /// A batch's results, by mutant id (`mutants/<id>/` in its artifact); nil for other runs.
    public var members: [Int: MemberResult]?

    public init(
        applied: Bool = true, tests: TestOutcomes? = nil, coverage: LineCoverage? = nil, note: String? = nil,
        timedOut: Bool? = nil, members: [Int: MemberResult]? = nil
    ) {
        self.members = members
        self.timedOut = timedOut
        self.applied = applied
        self.tests = tests
        self.coverage = coverage
        self.note = note
    }

    /// One line for the history.
    public var summary: String {
        var parts: [String] = []
        if !applied { parts.append("the mutant did not apply") }
        if timedOut == true { parts.append(MutantResult.ranPastTimeLimit) }
        if let tests {
            parts.append(
                "\(tests.passed.count + tests.failed.count) tests, \(tests.failed.count) failed"
                    + (tests.truncated ? " (cut at the reading bound)" : ""))
        } else {
            parts.append("no per-test results")
        }
        if let coverage { parts.append("coverage of \(coverage.known.count) files") }
        if let members { parts.append("results for mutants \(members.keys.sorted().map { "m\($0)" })") }
        if let note { parts.append(note) }
        return parts.joined(separator: "; ")
    }
}

/// What a batch run's results say about one of its mutants: its `outcome.json` and JUnit files.
public struct MemberResult: Codable, Equatable, Sendable {
    /// `outcome.json`'s `tests`.
    public enum Tests: String, Codable, Sendable {
        case passed, failed, timeout, error
    }

    /// False when the mutant did not apply or its file did not parse.
    public var applied: Bool
    public var tests: Tests
    /// The test command's wall time.
    public var seconds: Double?
    /// Its JUnit outcomes; nil when it wrote none that could be read.
    public var outcomes: TestOutcomes?
    /// Why a part of its results is missing.
    public var note: String?

    public init(
        applied: Bool, tests: Tests, seconds: Double? = nil, outcomes: TestOutcomes? = nil, note: String? = nil
    ) {
        self.applied = applied
        self.tests = tests
        self.seconds = seconds
        self.outcomes = outcomes
        self.note = note
    }
}
