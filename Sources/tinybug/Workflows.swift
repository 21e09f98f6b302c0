import ArgumentParser
import Engine
import Foundation
import FunctionRuntime
import Logging
import Orchestration
import Workflow

struct Workflows: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect workflows in the store named by TINYBUG_STORE.", subcommands: [List.self, Show.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's workflows.")
        @Option(help: "The tenant id.") var tenant: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let engine = try StoreAccess.engine()
            let keys = try await engine.store.listAll(prefix: StoreKey.workflowsPrefix(tenant: tenant))
            var rows: [WorkflowRow] = []
            for id in keys.compactMap(\.workflowID) {
                if let (document, _) = try await engine.load(tenant: tenant, id: id) {
                    rows.append(WorkflowRow(document))
                }
            }
            rows.sort { $0.updated > $1.updated }
            if json {
                print(String(decoding: try StoreAccess.encoder.encode(rows), as: UTF8.self))
                return
            }
            print("\("WORKFLOW".padded(52)) \("PR".padded(18)) \("STATUS".padded(12)) \("SCORE".padded(6)) UPDATED")
            for row in rows {
                print(
                    "\(row.id.padded(52)) \(row.pr.padded(18)) \(row.status.padded(12)) \((row.score.map { "\($0)%" } ?? "-").padded(6)) \(row.updated)"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one workflow: its state and history.")
        @Argument(help: "TENANT/WORKFLOW") var path: String
        @Flag(help: "Print the stored JSON document.") var json = false

        func run() async throws {
            let (tenant, id) = try StoreAccess.split(path)
            let engine = try StoreAccess.engine()
            guard let (document, _) = try await engine.load(tenant: tenant, id: id) else {
                throw CLIError("no workflow \(id) for tenant \(tenant)")
            }
            if json {
                print(String(decoding: try StoreAccess.encoder.encode(document), as: UTF8.self))
                return
            }
            let run = document.state
            print(
                "\(run.id)  \(run.pullRequest.repository)#\(run.pullRequest.number) @ \(run.pullRequest.headSHA.prefix(12))"
            )
            print("status \(run.status), phase \(run.phase.rawValue)" + (run.report.map { ", \($0.title)" } ?? ""))
            let end = document.updatedAt
            print(
                "timeline (\(Double(end.milliseconds - run.startedAt.milliseconds) / 1000) s; █ final attempt, ░ an attempt that was retried):"
            )
            // With batches a timeline row is a batch, and the mutants are listed after it.
            for job in run.timelineRows {
                let mutant: Mutant? = if case .mutant(let id) = job.name { run.plan?[id] } else { nil }
                print(
                    "  \(job.name.description.padded(5)) |\(TimelineBar.bar(job, start: run.startedAt, end: end))| "
                        + Self.describe(job, mutant, in: run))
            }
            if run.batches != nil {
                print("mutants:")
                for (job, mutant) in zip(run.mutants, run.plan ?? []) {
                    print("  \(job.name.description.padded(5)) \(Self.describe(job, mutant, in: run))")
                }
            }
            if let tests = run.baselineTests {
                if !tests.flaky.isEmpty { print("unstable tests: " + tests.flaky.sorted().joined(separator: ", ")) }
                if !tests.excluded.isEmpty {
                    print("excluded tests: " + tests.excluded.sorted().joined(separator: ", "))
                }
            }
            print(
                "history" + (document.historyFolded > 0 ? " (\(document.historyFolded) older entries folded)" : "")
                    + ":")
            for entry in document.history { print(ProgressPrinter.line(entry, origin: document.history.first?.at)) }
        }

        /// A row's words: a job's status and what it tested, or a batch's mutants with their statuses.
        static func describe(_ job: Job, _ mutant: Mutant?, in run: Run) -> String {
            if let members = job.members {
                let marks = members.compactMap { run.job(.mutant($0)) }.map {
                    "\($0.name) \($0.mutantStatus.rawValue)"
                }
                return "\(job.status.rawValue.padded(12)) " + marks.joined(separator: " · ")
            }
            let what = mutant.map { "\($0.path):\($0.line) \($0.operator.rawValue)" } ?? "baseline"
            let result = job.name.isBaseline ? job.status.rawValue : job.mutantStatus.rawValue
            let killers =
                job.result?.killedBy.isEmpty == false
                ? "  killed by " + (job.result?.killedBy.joined(separator: ", ") ?? "") : ""
            return "\(result.padded(12)) \(what)\(killers)"
        }
    }
}

/// One row of `workflows list` and of the control API's list.
struct WorkflowRow: Codable {
    var id: String
    var pr: String
    var status: String
    var score: Int?
    var updated: String

    init(_ document: Document<Run>) {
        id = document.id
        pr = "\(document.state.pullRequest.repository)#\(document.state.pullRequest.number)"
        status = document.state.status.rawValue
        score = document.state.report?.score.map(Report.percent)
        updated = UTC.iso8601(document.updatedAt)
    }
}

/// Opening the store named by the environment, for commands that work on it directly.
enum StoreAccess {
    static func engine() throws -> Engine<Run> {
        let config = try FunctionConfig(environment: ProcessInfo.processInfo.environment)
        return Engine<Run>(
            store: try FunctionApp.makeStore(config), clock: SystemClock(), logger: Logger(label: "tinybug"))
    }

    /// The orchestrator of the environment's store and tenants file; without a readable tenants
    /// file it still steers, and effects wait in the outbox for the timer.
    static func orchestrator() throws -> Orchestrator {
        let config = try FunctionConfig(environment: ProcessInfo.processInfo.environment)
        let logger = Logger(label: "tinybug")
        do { return try FunctionApp.orchestrator(config: config, logger: logger) } catch {
            print("the tenants file does not load (\(error)); effects will wait in the outbox for the timer")
        }
        // Nobody here runs the effects: they are due at once, for the next tick of any function.
        var engine = try engine()
        engine.effectLeaseSeconds = 0
        var bare = Orchestrator(
            engine: engine, tenants: Tenants([]), endpoints: Endpoints(), timerToken: nil, logger: logger)
        bare.carriesOutEffects = false
        return bare
    }

    static func split(_ path: String) throws -> (String, String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, Identifier.isValidTenant(parts[0]), Identifier.isValid(parts[1]) else {
            throw CLIError("expected TENANT/WORKFLOW with ids of [a-z0-9._-], got \(path)")
        }
        return (String(parts[0]), String(parts[1]))
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

/// A job's attempts drawn as a bar scaled to the workflow's duration.
enum TimelineBar {
    static let width = 40

    static func bar(_ job: Job, start: Instant, end: Instant) -> String {
        var cells = Array(repeating: Character("·"), count: width)
        let span = Double(max(end.milliseconds - start.milliseconds, 1))
        func cell(_ instant: Instant) -> Int {
            min(width - 1, max(0, Int(Double(instant.milliseconds - start.milliseconds) / span * Double(width))))
        }
        for attempt in job.attempts {
            let final = attempt.number == job.attempts.last?.number
            for index in cell(attempt.dispatchedAt)...cell(attempt.endedAt ?? end) { cells[index] = final ? "█" : "░" }
        }
        return String(cells)
    }
}
