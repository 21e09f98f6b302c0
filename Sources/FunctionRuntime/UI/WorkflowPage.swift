import Engine
import Foundation
import Orchestration
import Workflow

/// `GET /ui/tenants/{tenant}/workflows/{workflow}`: the timeline, the mutants and the history.
enum WorkflowPage {
    static func render(_ document: Document<Run>) -> String {
        let run = document.state
        let pr = run.pullRequest
        var body =
            "<h1>\(HTML.escape(pr.repository)) #\(pr.number) <code>\(HTML.escape(String(pr.headSHA.prefix(12))))</code></h1>"
        body += "<p>\(HTML.badge(run.status.rawValue)) \(HTML.escape(run.report?.title ?? "measuring…"))</p>"
        let counted = MutantStatus.allCases.compactMap { status -> String? in
            let count = run.statuses.filter { $0 == status }.count
            return count > 0 ? "\(count) \(status.rawValue)" : nil
        }
        body +=
            "<p class=\"muted\">\(run.mutants.count) mutants: \(HTML.escape(counted.joined(separator: ", "))) · "
            + "started \(HTML.escape(TenantPage.short(UTC.iso8601(run.startedAt)))) · updated \(HTML.escape(TenantPage.short(UTC.iso8601(document.updatedAt))))</p>"
        body += "<h2>Timeline</h2>" + Timeline.svg(run, until: document.updatedAt)
        body += "<h2>Mutants</h2>" + mutants(run) + tests(run)
        body += "<h2>History</h2>" + history(document)
        return HTML.page(title: "\(pr.repository)#\(pr.number)", body: body)
    }

    /// Each job's outcome in the words the page and its colours use.
    static func outcome(_ job: Job) -> String {
        if case .batch = job.name {
            // A batch's run ends read, errored or cancelled: its mutants carry the verdicts.
            switch job.status {
            case .passed: return "batch"
            case .errored: return "errored"
            case .cancelled: return "cancelled"
            default: return "running"
            }
        }
        return switch (job.name.isBaseline, job.status) {
        case (true, .passed): "passed-baseline"
        case (true, .failed): "failed-baseline"
        case (_, .notCovered): "not-covered"
        case (_, .failed): "killed"
        case (_, .passed): "survived"
        case (_, .errored): "errored"
        case (_, .cancelled): "cancelled"
        case (_, .retrying): "retried"
        default: "running"
        }
    }

    static func mutants(_ run: Run) -> String {
        var html =
            "<table id=\"mutants\"><thead><tr><th>Mutant</th><th>Where</th><th>Operator</th><th>Change</th><th>Outcome</th>"
        html += "<th>Killed by</th><th>Attempts</th><th>CI run</th></tr></thead><tbody>"
        for (mutant, job) in zip(run.plan ?? [], run.mutants) {
            let outcome = outcome(job)
            let link = job.ciRunURL.map(HTML.link) ?? "–"
            html += "<tr data-job=\"\(job.name)\" data-outcome=\"\(outcome)\"><td>m\(mutant.id)</td>"
            html +=
                "<td><code>\(HTML.escape(mutant.path)):\(mutant.line)</code></td><td>\(HTML.escape(mutant.operator.rawValue))</td>"
            html += "<td><code>\(HTML.escape(mutant.original.trimmingCharacters(in: .whitespaces)))</code> → "
            html += "<code>\(HTML.escape(mutant.replacement.trimmingCharacters(in: .whitespaces)))</code></td>"
            let killers = (job.result?.killedBy ?? []).map { "<code>\(HTML.escape($0))</code>" }.joined(separator: " ")
            let note = job.result?.note.map { "<span class=\"muted\">\(HTML.escape($0))</span>" } ?? ""
            html +=
                "<td data-status=\"\(job.mutantStatus.rawValue)\">\(HTML.badge(job.mutantStatus.rawValue, outcome: outcome))</td>"
            html += "<td>\(killers.isEmpty ? note : killers)</td><td>\(job.attempts.count)</td><td>\(link)</td></tr>"
        }
        return html + "</tbody></table>"
    }

    /// The baseline's unstable and excluded tests, named.
    static func tests(_ run: Run) -> String {
        guard let tests = run.baselineTests else { return "" }
        func list(_ names: Set<String>) -> String {
            names.sorted().map { "<code>\(HTML.escape($0))</code>" }.joined(separator: " ")
        }
        var html = ""
        if !tests.flaky.isEmpty {
            html +=
                "<p id=\"unstable\">Unstable tests (failed in some baseline runs; never a kill): \(list(tests.flaky))</p>"
        }
        if !tests.excluded.isEmpty {
            html += "<p id=\"excluded\">Excluded tests (failed in every baseline run): \(list(tests.excluded))</p>"
        }
        return html
    }

    static func history(_ document: Document<Run>) -> String {
        var html =
            document.historyFolded > 0 ? "<p class=\"muted\">\(document.historyFolded) older entries folded.</p>" : ""
        html += "<table id=\"history\"><thead><tr><th>Time</th><th>Event</th><th>Effects</th></tr></thead><tbody>"
        for entry in document.history {
            html += "<tr><td>\(HTML.escape(TenantPage.short(entry.time)))</td><td>\(HTML.escape(entry.event))</td>"
            html += "<td>\(entry.effects.map(HTML.escape).joined(separator: "<br>"))</td></tr>"
        }
        return html + "</tbody></table>"
    }
}

/// The timeline as inline SVG: one row per CI job, a bar per attempt from dispatch to its end,
/// coloured by outcome; retries and timeouts marked; pauses shaded across every row.
enum Timeline {
    static let width = 1000.0
    static let label = 70.0
    static let row = 22.0

    static func svg(_ run: Run, until end: Instant) -> String {
        // With batches a row is a CI run: the baseline's, then each batch with a mark per mutant.
        let jobs = run.timelineRows
        let start = run.startedAt.milliseconds
        let span = Double(max(end.milliseconds - start, 1000))
        let height = Double(jobs.count) * row + 24
        func x(_ instant: Instant) -> Double {
            label + (width - label - 10) * Double(instant.milliseconds - start) / span
        }
        var svg =
            "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\">"
        for pause in run.pauses {
            let from = x(pause.from)
            let to = x(pause.until ?? end)
            svg +=
                "<rect class=\"pause\" x=\"\(f(from))\" y=\"0\" width=\"\(f(max(to - from, 2)))\" height=\"\(f(height))\" fill=\"\(HTML.color("paused"))\" fill-opacity=\"0.12\"/>"
        }
        for (index, job) in jobs.enumerated() {
            let y = Double(index) * row + 4
            let outcome = WorkflowPage.outcome(job)
            svg +=
                "<g class=\"job\" data-job=\"\(job.name)\" data-outcome=\"\(outcome)\"><text x=\"4\" y=\"\(f(y + 13))\" font-size=\"12\" fill=\"#374151\">\(job.name)</text>"
            for attempt in job.attempts {
                let from = x(attempt.dispatchedAt)
                let to = x(attempt.endedAt ?? end)
                let final = attempt.number == job.attempts.last?.number
                let color = HTML.color(final ? outcome : attemptOutcome(attempt))
                svg +=
                    "<rect class=\"attempt\" x=\"\(f(from))\" y=\"\(f(y))\" width=\"\(f(max(to - from, 3)))\" height=\"16\" rx=\"3\" fill=\"\(color)\""
                svg += attempt.result == .timedOut ? " stroke=\"#111827\" stroke-dasharray=\"3 2\"" : ""
                svg +=
                    "><title>\(job.name) attempt \(attempt.number): \(HTML.escape(attempt.result?.description ?? "running"))</title></rect>"
                svg += marks(run, job, attempt, from: from, to: to, y: y)
                if attempt.result == .timedOut {
                    svg += "<text x=\"\(f(to + 2))\" y=\"\(f(y + 12))\" font-size=\"11\" fill=\"#111827\">⏱</text>"
                } else if !final {
                    svg +=
                        "<text x=\"\(f(to + 2))\" y=\"\(f(y + 12))\" font-size=\"11\" fill=\"\(HTML.color("retried"))\">↻</text>"
                }
            }
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    /// A batch attempt's mutants as marks along its bar, each coloured by what that run settled
    /// for it (its status), or as retried when it went into a later batch.
    static func marks(_ run: Run, _ batch: Job, _ attempt: Attempt, from: Double, to: Double, y: Double) -> String {
        guard let members = batch.members, !members.isEmpty else { return "" }
        let step = max(to - from, 3) / Double(members.count)
        var svg = ""
        for (index, id) in members.enumerated() {
            guard let member = run.job(.mutant(id)) else { continue }
            let settledHere = member.attempts.last?.dispatchedAt == attempt.dispatchedAt && member.status.isFinal
            let outcome = settledHere ? WorkflowPage.outcome(member) : "retried"
            let word = settledHere ? member.mutantStatus.rawValue : "into a later batch"
            svg +=
                "<rect class=\"mark\" data-mutant=\"m\(id)\" x=\"\(f(from + step * Double(index) + 1))\" y=\"\(f(y + 10))\" width=\"\(f(max(step - 2, 1)))\" height=\"5\" fill=\"\(HTML.color(outcome))\" stroke=\"#fff\" stroke-width=\"0.5\"><title>m\(id): \(HTML.escape(word))</title></rect>"
        }
        return svg
    }

    static func attemptOutcome(_ attempt: Attempt) -> String {
        attempt.result == .timedOut ? "timed out" : "retried"
    }

    static func f(_ value: Double) -> String { String(Int(value.rounded())) }
}
