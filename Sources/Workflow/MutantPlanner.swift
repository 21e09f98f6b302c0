/// Plans the mutants of a PR from its files' patches: one mutant at most per added line,
/// comments, blank lines, logging calls and test files skipped, spread across files, in a
/// deterministic order.
public enum MutantPlanner {
    private static let loggingMarkers = [
        "print(", "println(", "printf(", "console.", "logger.", "log.", "Log.", "logging.", "NSLog(", "fmt.Print",
        "puts ", "debugPrint(", "os_log(", "System.out.", "System.err.", "println!", "eprintln!", "print!", "dbg!",
    ]
    private static let commentStarts = ["//", "/*", "*", "#", "\"\"\"", "'''", "<!--"]

    /// At most `limit` mutants for `files`, ids numbered from 0 in (path, line) order.
    public static func plan(_ files: [ChangedFile], limit: Int) -> [Mutant] {
        plan(candidates(in: files), limit: limit, uncoveredLimit: 0) { _ in false }.map(\.mutant)
    }

    /// Every mutant the added lines of `files` allow (at most `perFileLimit` per file), in (path,
    /// line) order: what a plan is chosen from.
    public static func candidates(in files: [ChangedFile], perFileLimit: Int = 500) -> [Mutant] {
        files.sorted { $0.path < $1.path }.flatMap { candidates($0).prefix(perFileLimit) }
    }

    /// One mutant of a plan: `uncovered` ones get no CI run (`NoCoverage`).
    public struct Choice: Equatable, Sendable {
        public var mutant: Mutant
        public var uncovered: Bool
    }

    /// At most `limit` of the covered candidates, spread across files, and at most
    /// `uncoveredLimit` uncovered ones; ids numbered from 0 in (path, line) order.
    public static func plan(
        _ candidates: [Mutant], limit: Int, uncoveredLimit: Int, isUncovered: (Mutant) -> Bool
    ) -> [Choice] {
        let uncovered = candidates.filter(isUncovered)
        let covered = candidates.filter { !isUncovered($0) }
        let chosen =
            spread(covered, limit: limit).map { Choice(mutant: $0, uncovered: false) }
            + uncovered.prefix(uncoveredLimit).map { Choice(mutant: $0, uncovered: true) }
        return chosen.sorted { ($0.mutant.path, $0.mutant.line) < ($1.mutant.path, $1.mutant.line) }.enumerated().map {
            index, choice in
            var numbered = choice
            numbered.mutant.id = index
            return numbered
        }
    }

    /// Round-robin across files, so a large file does not crowd out the others.
    static func spread(_ candidates: [Mutant], limit: Int) -> [Mutant] {
        var files: [String: [Mutant]] = [:]
        for mutant in candidates { files[mutant.path, default: []].append(mutant) }
        let perFile = files.keys.sorted().compactMap { files[$0] }
        var chosen: [Mutant] = []
        var round = 0
        while chosen.count < limit, perFile.contains(where: { $0.count > round }) {
            for candidates in perFile where candidates.count > round && chosen.count < limit {
                chosen.append(candidates[round])
            }
            round += 1
        }
        return chosen
    }

    /// Every mutant the planner would make in one file, in line order.
    static func candidates(_ file: ChangedFile) -> [Mutant] {
        guard file.status != "removed", let patch = file.patch, !isTest(file.path),
            let language = Language.forPath(file.path)
        else { return [] }
        return Diff.addedLines(in: patch).compactMap { added in
            guard isMutable(added.text), let (op, replacement) = LineMutator.mutate(added.text, language: language)
            else { return nil }
            return Mutant(
                id: 0, path: file.path, line: added.number, original: added.text, replacement: replacement, operator: op
            )
        }
    }

    static func isMutable(_ text: String) -> Bool {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty, !commentStarts.contains(where: trimmed.hasPrefix) else { return false }
        return !loggingMarkers.contains { trimmed.contains($0) }
    }

    /// Test code is what measures; mutating it measures nothing.
    static func isTest(_ path: String) -> Bool {
        let lower = path.lowercased()
        let name = lower.split(separator: "/").last.map(String.init) ?? lower
        let folders = lower.split(separator: "/").dropLast()
        if folders.contains(where: { ["test", "tests", "spec", "specs", "__tests__", "testdata"].contains($0) }) {
            return true
        }
        let original = path.split(separator: "/").last.map(String.init) ?? path
        let stem = original.split(separator: ".").first.map(String.init) ?? original
        return stem.hasPrefix("test_") || stem.hasSuffix("_test") || stem.hasSuffix("Test") || stem.hasSuffix("Tests")
            || stem.hasSuffix("Spec") || name.contains(".test.") || name.contains(".spec.")
    }
}
