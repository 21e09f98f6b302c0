/// Building the report from a finished run: the scores, a summary table, an annotation per
/// survivor and one per file with uncovered lines.
extension Run {
    /// The mutants' statuses, in plan order.
    public var statuses: [MutantStatus] { mutants.map(\.mutantStatus) }

    /// Detected (Killed, Timeout), undetected (Survived, NoCoverage) and out of the score
    /// (CompileError, RuntimeError): `killed / (killed + survived)` is the contract's score.
    public var tally: (killed: Int, survived: Int, errored: Int) {
        let statuses = statuses
        return (
            statuses.filter(\.isDetected).count, statuses.filter { $0.isValid && !$0.isDetected }.count,
            statuses.filter { $0 == .compileError || $0 == .runtimeError }.count
        )
    }

    /// The report of a run whose mutants are all final.
    func scoredReport() -> Report {
        let statuses = statuses
        guard let score = MutationScore.overall(statuses) else {
            let reason = plan?.isEmpty == true ? "no line of this PR could be mutated" : "no mutant gave a result"
            return inconclusiveReport(reason)
        }
        let (killed, survived, _) = tally
        let percent = Report.percent(score)
        let conclusion: CheckConclusion = score >= settings.threshold ? .success : .failure
        let title = "Tinybug: \(percent)% of mutants killed (\(killed)/\(killed + survived))"
        var report = endedReport(conclusion, title: title, reason: "")
        report.summary = ReportTables(run: self).summary(score: score, covered: MutationScore.covered(statuses))
        report.annotations = survivorAnnotations() + uncoveredAnnotations()
        report.coveredScore = MutationScore.covered(statuses)
        return report
    }

    func inconclusiveReport(_ reason: String) -> Report {
        var summary = "The measurement is inconclusive: \(reason)."
        if let tests = baselineTests ?? lastBaselineLessons, !tests.unstable.isEmpty {
            summary += "\n\n" + ReportTables(run: self).testLists(tests).joined(separator: "\n")
        }
        return endedReport(.neutral, title: "Tinybug: inconclusive", reason: summary)
    }

    func endedReport(_ conclusion: CheckConclusion, title: String, reason: String) -> Report {
        let (killed, survived, errored) = tally
        var report = Report(
            conclusion: conclusion, title: title, summary: reason, annotations: [], killed: killed,
            survived: survived, errored: errored)
        report.statuses = Dictionary(statuses.map { ($0.rawValue, 1) }, uniquingKeysWith: +)
        return report
    }

    /// What the baseline's runs said about the tests before they were judged, for an
    /// inconclusive report that names them.
    private var lastBaselineLessons: BaselineTests? {
        let outcomes = baselines.compactMap(\.tests)
        return outcomes.isEmpty ? nil : BaselineTests(outcomes)
    }

    private func survivorAnnotations() -> [Annotation] {
        zip(plan ?? [], mutants).filter { $0.1.mutantStatus == .survived }.map { mutant, job in
            let note = job.result?.note.map { "\n(\($0).)" } ?? ""
            return Annotation(
                path: mutant.path, line: mutant.line, title: "Mutant survived (\(mutant.operator.rawValue))",
                message: "The tests still passed with this line changed to:\n\(mutant.replacement.trimmingWhitespace)"
                    + note)
        }
    }

    /// One notice per file: the added lines no test ran, on which no CI run was spent.
    private func uncoveredAnnotations() -> [Annotation] {
        let uncovered = zip(plan ?? [], mutants).filter { $0.1.mutantStatus == .noCoverage }.map(\.0)
        let byFile = Dictionary(grouping: uncovered, by: \.path)
        return byFile.keys.sorted().compactMap { path in
            guard let lines = byFile[path]?.map(\.line).sorted(), let first = lines.first else { return nil }
            return Annotation(
                path: path, line: first, title: "Not covered by any test (\(lines.count) lines)",
                message: "No test ran these added lines in the baseline: "
                    + lines.map(String.init).joined(separator: ", ") + ". No mutant was run on them.",
                level: .notice)
        }
    }
}

/// The summary's Markdown tables.
struct ReportTables {
    let run: Run

    func summary(score: Double, covered: Double?) -> String {
        let statuses = run.statuses
        func count(_ status: MutantStatus) -> Int { statuses.filter { $0 == status }.count }
        let runs = statuses.filter { $0 != .noCoverage }.count
        let batches = run.batches.map {
            " in \($0.count) \($0.count == 1 ? "run" : "runs") of up to \(run.settings.mutantsPerRun) mutants each"
        }
        var lines = [
            "Tinybug planned \(statuses.count) mutants on the lines this PR added and ran its CI for \(runs) of them"
                + (batches ?? "") + " (the baseline ran \(run.baselines.count) times).",
            "",
            "| Status | Mutants |", "|---|---|",
        ]
        for status in MutantStatus.allCases where count(status) > 0 || [.killed, .survived].contains(status) {
            lines.append("| \(status.rawValue)\(status.legend) | \(count(status)) |")
        }
        lines += [
            "| **Score** | **\(Report.percent(score))%** |",
            "| Score on covered code | \(covered.map { "\(Report.percent($0))%" } ?? "–") |",
            "",
            "| Mutant | Line | Operator | Change | Status | Killed by |", "|---|---|---|---|---|---|",
        ]
        for (mutant, job) in zip(run.plan ?? [], run.mutants) {
            let change =
                "`\(escape(mutant.original.trimmingWhitespace))` → `\(escape(mutant.replacement.trimmingWhitespace))`"
            lines.append(
                "| m\(mutant.id) | \(mutant.path):\(mutant.line) | \(mutant.operator.rawValue) | \(change) | "
                    + "\(job.mutantStatus.rawValue) | \(killers(job)) |")
        }
        if let tests = run.baselineTests { lines += [""] + testLists(tests) }
        return lines.joined(separator: "\n")
    }

    /// The killing tests of a job, or why there are none.
    func killers(_ job: Job) -> String {
        guard let result = job.result else { return "" }
        if !result.killedBy.isEmpty {
            let more =
                result.killCount > result.killedBy.count ? " and \(result.killCount - result.killedBy.count) more" : ""
            return result.killedBy.map { "`\(escape($0))`" }.joined(separator: ", ") + more
        }
        return result.note.map(escape) ?? ""
    }

    /// The unstable and the excluded tests, named.
    func testLists(_ tests: BaselineTests) -> [String] {
        var lines: [String] = []
        if !tests.flaky.isEmpty {
            lines.append(
                "**Unstable tests** (failed in some baseline runs; never counted as a kill): " + names(tests.flaky))
        }
        if !tests.excluded.isEmpty {
            lines.append("**Excluded tests** (failed in every baseline run): " + names(tests.excluded))
        }
        return lines
    }

    private func names(_ tests: Set<String>) -> String {
        let sorted = tests.sorted()
        let shown = sorted.prefix(Verdict.limit).map { "`\(escape($0))`" }.joined(separator: ", ")
        return sorted.count > Verdict.limit ? shown + " and \(sorted.count - Verdict.limit) more" : shown
    }

    private func escape(_ text: String) -> String {
        String(text.map { $0 == "|" ? "¦" : $0 == "`" ? "'" : $0 })
    }
}

extension MutantStatus {
    /// What the status means, after its name in the summary.
    var legend: String {
        switch self {
        case .killed: " (a test that passed in every baseline run failed)"
        case .survived: " (the tests passed)"
        case .timeout: " (past its deadline; counts as detected)"
        case .noCoverage: " (no test runs the line; no CI run spent)"
        case .compileError: " (did not apply or build; not counted)"
        case .runtimeError: " (the CI failed; not counted)"
        case .ignored, .pending: " (not counted)"
        }
    }
}

extension Job {
    /// How the job ended, in the words of a mutant's result.
    public var resultWord: String {
        switch status {
        case .failed: "killed"
        case .passed: "survived"
        case .errored: "errored"
        case .cancelled: "cancelled"
        case .notCovered: "not covered"
        default: "pending"
        }
    }
}
