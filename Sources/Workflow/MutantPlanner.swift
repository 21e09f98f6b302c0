/// Plans the mutants of a PR from its files' patches: one mutant at most per added line,
/// comments, blank lines, logging calls and test files skipped, spread across files, in a
/// deterministic order.
public enum MutantPlanner {
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

    /// Every mutant the planner would make in one file, in line order: never on a line inside a
    /// multi-line string or comment, never on an arid line, and no statement rewrite on a line
    /// inside brackets or one that opens or closes a group.
    static func candidates(_ file: ChangedFile) -> [Mutant] {
        guard file.status != "removed", let patch = file.patch, !isTest(file.path),
            let language = Language.forPath(file.path)
        else { return [] }
        return lines(file, patch: patch).compactMap { line in
            guard line.added, !line.facts.inBlock, !line.inDescription, isMutable(line.text),
                AridLines.rule(line.text, language: language) == nil,
                let (op, replacement) = LineMutator.mutate(
                    line.text, language: language, statements: line.facts.depth == 0 && !line.facts.unbalanced)
            else { return nil }
            return Mutant(
                id: 0, path: file.path, line: line.number, original: line.text, replacement: replacement, operator: op
            )
        }
    }

    /// Whether the file's patch leaves unclear if a hunk starts inside a multi-line string or
    /// comment: its text at the head should then be fetched (`ChangedFile.source`).
    public static func needsSource(_ file: ChangedFile) -> Bool {
        guard file.source == nil, let patch = file.patch, Language.forPath(file.path) != nil, !isTest(file.path) else {
            return false
        }
        return BlockScanner(path: file.path).needsSource(patch)
    }

    /// The arid rule that keeps a line of `path` from being mutated, or nil (for table tests).
    public static func aridRule(_ text: String, path: String) -> String? {
        Language.forPath(path).flatMap { AridLines.rule(text, language: $0) }
    }

    /// A line of the head version with what surrounds it.
    struct Context {
        var number: Int
        var text: String
        var added: Bool
        var facts: BlockScanner.LineFacts
        /// Inside a `__repr__`-like body.
        var inDescription: Bool
    }

    /// The hunks' lines with their facts: from the file's whole text when it was fetched, else
    /// from each hunk alone.
    static func lines(_ file: ChangedFile, patch: String) -> [Context] {
        let scanner = BlockScanner(path: file.path)
        let hunks = Diff.hunks(in: patch)
        var whole: [Int: BlockScanner.LineFacts] = [:]
        if let source = file.source {
            let text = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (index, facts) in scanner.scan(text, from: nil).facts.enumerated() { whole[index + 1] = facts }
        }
        return hunks.flatMap { hunk in
            let own = scanner.facts(hunk: hunk.map(\.text))
            let descriptions = describing(hunk.map(\.text), language: scanner.language)
            return hunk.indices.map { index in
                Context(
                    number: hunk[index].number, text: hunk[index].text, added: hunk[index].added,
                    facts: whole[hunk[index].number] ?? own[index], inDescription: descriptions[index])
            }
        }
    }

    /// Which lines sit in the body of a `__repr__`-like definition opened earlier in the hunk.
    static func describing(_ lines: [String], language: Language) -> [Bool] {
        var opener: Int? = nil
        return lines.map { text in
            let indent = text.prefix { $0 == " " || $0 == "\t" }.count
            let blank = text.trimmingWhitespace.isEmpty
            if let open = opener, !blank, indent <= open { opener = nil }
            let inside = opener != nil
            if AridLines.opensDescription(SourceLine(text, language: language).code) { opener = indent }
            return inside
        }
    }

    static func isMutable(_ text: String) -> Bool {
        let trimmed = text.trimmingWhitespace
        return !trimmed.isEmpty && !commentStarts.contains(where: trimmed.hasPrefix)
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
