import ArgumentParser
import Engine
import Foundation
import FunctionRuntime
import Logging
import Workflow

/// Applies one control event to a workflow in the store. Effects it produces (dispatches on resume,
/// cancels) are carried out now when the tenants file is readable, else by the next timer tick.
enum Steering {
    static func apply(_ event: Event, verb: String, to path: String) async throws {
        if !path.contains("/"), verb != "cancel" { return try await steerTenant(path, verb: verb) }
        let (tenant, id) = try StoreAccess.split(path)
        let engine = try StoreAccess.engine()
        let applied = try await engine.apply(tenant: tenant, id: id, [EventInput(id: "cli:\(verb):\(UUID().uuidString)", event: event)])
        guard case .applied(let document, let effects) = applied else {
            print("\(path): nothing to change (status \(applied.document.state.status))")
            return
        }
        print("\(path): \(verb) → status \(document.state.status)")
        guard !effects.isEmpty else { return }
        let environment = ProcessInfo.processInfo.environment
        let logger = Logger(label: "tinybug")
        if let config = try? FunctionConfig(environment: environment),
            let orchestrator = try? FunctionApp.orchestrator(config: config, logger: logger)
        {
            let ran = try await engine.run(effects, tenant: tenant, id: id, executor: orchestrator.executor)
            print("carried out \(ran) effects")
        } else {
            print("\(effects.count) effects wait in the outbox for the next timer tick")
        }
    }
}

extension Steering {
    /// Pauses or resumes every unfinished workflow of a tenant; new ones start paused until resumed.
    static func steerTenant(_ tenant: String, verb: String) async throws {
        guard Identifier.isValidTenant(tenant) else { throw CLIError("expected TENANT or TENANT/WORKFLOW, got \(tenant)") }
        let config = try FunctionConfig(environment: ProcessInfo.processInfo.environment)
        let orchestrator = try FunctionApp.orchestrator(config: config, logger: Logger(label: "tinybug"))
        let answer = await orchestrator.steerTenant(tenant, verb: verb)
        let body = String(decoding: answer.body, as: UTF8.self)
        guard answer.status == 200 else { throw CLIError("\(verb) \(tenant) failed: \(body)") }
        print("\(tenant): \(verb) → \(body)")
    }
}

struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pause a workflow, or a whole tenant: nothing new is dispatched, completions still count.")
    @Argument(help: "TENANT/WORKFLOW, or TENANT for all its workflows") var path: String
    func run() async throws { try await Steering.apply(.paused, verb: "pause", to: path) }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume a paused workflow, or a whole tenant, where it stopped.")
    @Argument(help: "TENANT/WORKFLOW, or TENANT for all its workflows") var path: String
    func run() async throws { try await Steering.apply(.resumed, verb: "resume", to: path) }
}

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a workflow and its CI runs in flight.")
    @Argument(help: "TENANT/WORKFLOW") var path: String
    func run() async throws { try await Steering.apply(.cancelRequested(reason: "cancelled by an operator"), verb: "cancel", to: path) }
}
