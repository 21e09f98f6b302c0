/// Building the report from a finished run: the score, a summary table, an annotation per survivor.
extension Run {
    /// Counts of mutant results: killed, survived, errored.
    public var tally: (killed: Int, survived: Int, errored: Int) {
        let statuses = mutants.map(\.status)
        return (
            statuses.filter { $0 == .failed }.count, statuses.filter { $0 == .passed }.count,
            statuses.filter { $0 == .errored }.count
        )
    }

    /// The report of a run whose mutants are all final.
    func scoredReport() -> Report {
        let (killed, survived, errored) = tally
        guard let score = Report.score(killed: killed, survived: survived) else {
            let reason = plan?.isEmpty == true ? "no line of this PR could be mutated" : "no mutant gave a result"
            return inconclusiveReport(reason)
        }
        let percent = Report.percent(score)
        let conclusion: CheckConclusion = score >= settings.threshold ? .success : .failure
        let title = "Tinybug: \(percent)% of mutants killed (\(killed)/\(killed + survived))"
        return Report(
            conclusion: conclusion, title: title, summary: summaryTable(percent: percent),
            annotations: survivorAnnotations(), killed: killed, survived: survived, errored: errored)
    }

    func inconclusiveReport(_ reason: String) -> Report {
        let (killed, survived, errored) = tally
        return Report(
            conclusion: .neutral, title: "Tinybug: inconclusive",
            summary: "The measurement is inconclusive: \(reason).",
            annotations: [], killed: killed, survived: survived, errored: errored)
    }

    func endedReport(_ conclusion: CheckConclusion, title: String, reason: String) -> Report {
        let (killed, survived, errored) = tally
        return Report(
            conclusion: conclusion, title: title, summary: reason, annotations: [], killed: killed,
            survived: survived, errored: errored)
    }

    private func summaryTable(percent: Int) -> String {
        let (killed, survived, errored) = tally
        var lines = [
            "Tinybug injected \(mutants.count) mutants into the lines this PR changed and ran its CI once per mutant.",
            "",
            "| Result | Mutants |", "|---|---|",
            "| Killed (tests failed) | \(killed) |", "| Survived (tests passed) | \(survived) |",
            "| Errored (not counted) | \(errored) |", "| **Score** | **\(percent)%** |",
            "",
            "| Mutant | Line | Operator | Change | Result |", "|---|---|---|---|---|",
        ]
        for (mutant, job) in zip(plan ?? [], mutants) {
            let change =
                "`\(escape(mutant.original.trimmingWhitespace))` → `\(escape(mutant.replacement.trimmingWhitespace))`"
            lines.append(
                "| m\(mutant.id) | \(mutant.path):\(mutant.line) | \(mutant.operator.rawValue) | \(change) | \(job.resultWord) |"
            )
        }
        return lines.joined(separator: "\n")
    }

    private func escape(_ text: String) -> String {
        String(text.map { $0 == "|" ? "¦" : $0 == "`" ? "'" : $0 })
    }

    private func survivorAnnotations() -> [Annotation] {
        zip(plan ?? [], mutants).filter { $0.1.status == .passed }.map { mutant, _ in
            Annotation(
                path: mutant.path, line: mutant.line, title: "Mutant survived (\(mutant.operator.rawValue))",
                message: "The tests still passed with this line changed to:\n\(mutant.replacement.trimmingWhitespace)")
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
        default: "pending"
        }
    }
}
