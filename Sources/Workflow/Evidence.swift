/// What a CI run's results artifact says about its tests, as small facts: which tests passed and
/// which failed, never the whole report. A document stays small however big the suite is.
public struct TestOutcomes: Codable, Equatable, Sendable {
    /// Tests named `classname.name` (or `name` without a classname) that passed.
    public var passed: Set<String>
    /// Tests that had a `<failure>` or an `<error>`.
    public var failed: Set<String>
    /// Test cases past the reading bound were not read; the outcome is then partial.
    public var truncated: Bool

    public init(passed: Set<String> = [], failed: Set<String> = [], truncated: Bool = false) {
        self.passed = passed
        self.failed = failed
        self.truncated = truncated
    }

    /// The outcomes of several JUnit files of one run: a test that failed in any of them failed.
    public func merged(with other: TestOutcomes) -> TestOutcomes {
        let failed = failed.union(other.failed)
        return TestOutcomes(
            passed: passed.union(other.passed).subtracting(failed), failed: failed,
            truncated: truncated || other.truncated)
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
