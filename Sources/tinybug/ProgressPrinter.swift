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
        let statuses = run.statuses
        let counted = MutantStatus.allCases.compactMap { status -> String? in
            let count = statuses.filter { $0 == status }.count
            return count > 0 ? "\(status.rawValue) \(count)" : nil
        }
        print("  mutants: \(run.mutants.count) — " + counted.joined(separator: ", "))
        if let score = run.report?.score {
            let covered = run.report?.coveredScore.map { ", \(Report.percent($0))% over covered code" } ?? ""
            print("  score: \(Report.percent(score))%\(covered) (threshold \(Report.percent(run.settings.threshold))%)")
        }
        let mutants = Array(zip(run.plan ?? [], run.mutants))
        let killed = mutants.filter { !($0.1.result?.killedBy.isEmpty ?? true) }
        if !killed.isEmpty { print("\nkilled mutants and the tests that caught them:") }
        for (mutant, job) in killed {
            print("  \(mutant.path):\(mutant.line)  killed by \(job.result?.killedBy.joined(separator: ", ") ?? "")")
        }
        if let tests = run.baselineTests {
            if !tests.flaky.isEmpty {
                print(
                    "\nunstable tests (failed in some baseline runs; never a kill): \(tests.flaky.sorted().joined(separator: ", "))"
                )
            }
            if !tests.excluded.isEmpty {
                print(
                    "excluded tests (failed in every baseline run): \(tests.excluded.sorted().joined(separator: ", "))")
            }
        }
        let uncovered = Dictionary(grouping: mutants.filter { $0.1.mutantStatus == .noCoverage }.map(\.0), by: \.path)
        if !uncovered.isEmpty { print("\nlines no test runs (NoCoverage, no CI run spent):") }
        for path in uncovered.keys.sorted() {
            print("  \(path): lines " + (uncovered[path] ?? []).map { String($0.line) }.joined(separator: ", "))
        }
        let survivors = mutants.filter { $0.1.mutantStatus == .survived }
        if !survivors.isEmpty { print("\nsurviving mutants (the tests did not notice these changes):") }
        for (mutant, job) in survivors {
            let note = job.result?.note.map { "  (\($0))" } ?? ""
            print("  \(mutant.path):\(mutant.line)  \(mutant.original.trimmed) → \(mutant.replacement.trimmed)\(note)")
        }
        let counts = await simulator.state.dispatchCounts()
        print("\nCI runs dispatched: \(counts.values.reduce(0, +)) for \(counts.count) job attempts")
        print("workflow document: \(storeRoot)/tenants/\(run.tenant)/workflows/\(run.id).json")
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
