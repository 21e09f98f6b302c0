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
