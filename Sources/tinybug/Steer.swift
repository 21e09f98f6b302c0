import ArgumentParser
import Engine
import Foundation
import FunctionRuntime
import Logging
import Orchestration
import Workflow

/// The CLI's steering: the same `Orchestrator.steer` the control API runs. Effects it produces
/// (dispatches on resume, cancels) are carried out now when the tenants file is readable, else by
/// the next timer tick.
enum Steering {
    static func apply(_ verb: SteeringVerb, to path: String) async throws {
        let orchestrator = try StoreAccess.orchestrator()
        do {
            if !path.contains("/") {
                guard Identifier.isValidTenant(path) else {
                    throw CLIError("expected TENANT or TENANT/WORKFLOW, got \(path)")
                }
                let steered = try await orchestrator.steerTenant(path, verb)
                print("\(path): \(verb.rawValue) → \(steered.workflows.count) workflows, paused: \(steered.paused)")
                return
            }
            let (tenant, id) = try StoreAccess.split(path)
            let steered = try await orchestrator.steer(tenant: tenant, workflow: id, verb)
            guard steered.changed else {
                print("\(path): nothing to change (status \(steered.status))")
                return
            }
            print("\(path): \(verb.rawValue) → status \(steered.status)")
            if steered.effects > 0 { print("carried out \(steered.effects) effects") }
            if steered.waiting > 0 { print("\(steered.waiting) effects wait in the outbox for the next timer tick") }
        } catch let error as ContractError {
            throw CLIError("\(verb.rawValue) \(path) failed: \(error.message)")
        }
    }
}

struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pause a workflow, or a whole tenant: nothing new is dispatched, completions still count.")
    @Argument(help: "TENANT/WORKFLOW, or TENANT for all its workflows") var path: String
    func run() async throws { try await Steering.apply(.pause, to: path) }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resume a paused workflow, or a whole tenant, where it stopped.")
    @Argument(help: "TENANT/WORKFLOW, or TENANT for all its workflows") var path: String
    func run() async throws { try await Steering.apply(.resume, to: path) }
}

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a workflow and its CI runs in flight.")
    @Argument(help: "TENANT/WORKFLOW") var path: String
    func run() async throws {
        guard path.contains("/") else { throw CLIError("cancel takes TENANT/WORKFLOW") }
        try await Steering.apply(.cancel, to: path)
    }
}

struct RerunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Measure some mutants of a finished workflow again, in it, on a new check run.")
    @Argument(help: "TENANT/WORKFLOW") var path: String
    @Option(help: "Which mutants: survived, errored or all.") var only: String = "survived"

    func run() async throws {
        guard let selection = RerunSelection(rawValue: only) else {
            throw CLIError("--only takes survived, errored or all, not \(only)")
        }
        let (tenant, id) = try StoreAccess.split(path)
        do {
            let rerun = try await StoreAccess.orchestrator().rerun(tenant: tenant, workflow: id, only: selection)
            print("\(path): measuring \(rerun.mutants.joined(separator: ", ")) again → status \(rerun.status)")
        } catch let error as ContractError {
            throw CLIError("rerun \(path) failed: \(error.message)")
        }
    }
}

struct RestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart", abstract: "Measure a workflow's head again from the start, as a new workflow.")
    @Argument(help: "TENANT/WORKFLOW") var path: String

    func run() async throws {
        let (tenant, id) = try StoreAccess.split(path)
        do {
            let restart = try await StoreAccess.orchestrator().restart(tenant: tenant, workflow: id)
            print("\(path): measured again as \(tenant)/\(restart.workflow)")
        } catch let error as ContractError {
            throw CLIError("restart \(path) failed: \(error.message)")
        }
    }
}
