import Engine
import Foundation
import Simulators
import Workflow

/// Prints a workflow's history as it grows, until the workflow is done or time runs out.
struct ProgressPrinter {
    let engine: Engine<Run>
    let tenant: String
    let workflow: String

    /// The final document, or nil on timeout.
    func follow(timeout: Duration) async throws -> Document<Run>? {
        let started = ContinuousClock.now
        var printed = 0
        var origin: Instant? = nil
        while ContinuousClock.now - started < timeout {
            if let (document, _) = try await engine.load(tenant: tenant, id: workflow) {
                let all = document.history
                let seen = max(0, printed - document.historyFolded)
                origin = origin ?? all.first?.at
                for entry in all.dropFirst(seen) { print(Self.line(entry, origin: origin)) }
                printed = document.historyFolded + all.count
                if document.state.phase == .done { return document }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        print("timed out after \(timeout): the workflow did not complete")
        return nil
    }

    static func line(_ entry: HistoryEntry, origin: Instant?) -> String {
        let offset = Double(entry.at.milliseconds - (origin?.milliseconds ?? entry.at.milliseconds)) / 1000
        let effects =
            entry.effects.isEmpty ? "" : "\n" + entry.effects.map { "             → \($0)" }.joined(separator: "\n")
        return String(format: "  %7.2fs  ", offset) + entry.event + effects
    }
}

extension Demo {
    static func printResult(_ document: Document<Run>, simulator: GitHubSimulator, storeRoot: String) async {
        let run = document.state
        let checks = await simulator.state.checkRuns
        print("")
        if let check = checks.first {
            print("check run \"\(check.name)\": \(check.status), conclusion \(check.conclusion ?? "none")")
            print("  \(check.title ?? "")")
        }
        let (killed, survived, errored) = run.tally
        print("  mutants: \(run.mutants.count) — killed \(killed), survived \(survived), errored \(errored)")
        if let score = run.report?.score {
            print("  score: \(Report.percent(score))% (threshold \(Report.percent(run.settings.threshold))%)")
        }
        let survivors = zip(run.plan ?? [], run.mutants).filter { $0.1.status == .passed }.map(\.0)
        if !survivors.isEmpty { print("\nsurviving mutants (the tests did not notice these changes):") }
        for mutant in survivors {
            print("  \(mutant.path):\(mutant.line)  \(mutant.original.trimmed) → \(mutant.replacement.trimmed)")
        }
        let counts = await simulator.state.dispatchCounts()
        print("\nCI runs dispatched: \(counts.values.reduce(0, +)) for \(counts.count) job attempts")
        print("workflow document: \(storeRoot)/tenants/\(run.tenant)/workflows/\(run.id).json")
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
