import Engine
import Foundation
import Logging
import Workflow

/// What steering a workflow did.
public struct Steered: Codable, Sendable, Equatable {
    public var workflow: String
    public var status: MeasurementStatus
    /// False when the workflow was already as asked (a second pause, a cancel after the end).
    public var changed: Bool
    /// Effects the change asked for that were run now (a retry among them counts as run).
    public var effects: Int
    /// Effects that wait in the outbox for the timer.
    public var waiting: Int
}

/// What steering a whole tenant did.
public struct SteeredTenant: Codable, Sendable, Equatable {
    public var tenant: String
    public var paused: Bool
    public var workflows: [String]
    /// Workflows that could not be steered now (logged with the reason); steering again retries them.
    public var failed: [String] = []
}

/// A way to steer a workflow (CONTRACT.md's control API and CLI).
public enum SteeringVerb: String, Sendable, CaseIterable {
    case pause, resume, cancel

    var event: Event {
        switch self {
        case .pause: .paused
        case .resume: .resumed
        case .cancel: .cancelRequested(reason: "cancelled through the control API")
        }
    }
}

/// Steering: the control API and the CLI pause, resume and cancel through this code.
extension Orchestrator {
    /// Pause, resume or cancel one workflow; its effects (dispatches, cancels) run now.
    public func steer(tenant: String, workflow: String, _ verb: SteeringVerb) async throws(ContractError) -> Steered {
        guard Identifier.isValid(workflow) else { throw ContractError(400, "invalid workflow id \(workflow)") }
        let input = EventInput(
            id: "control:\(verb.rawValue):\(UUID().uuidString)", event: verb.event, remembered: false)
        do {
            let applied = try await engine.apply(tenant: tenant, id: workflow, [input])
            var ran = 0
            if carriesOutEffects, case .applied(_, let effects) = applied, !effects.isEmpty {
                ran = try await engine.carryOut(
                    effects, tenant: tenant, id: workflow, executor: executor, budget: effectBudget)
            }
            logger.info(
                "Steered workflow",
                metadata: ["tenant.id": "\(tenant)", "workflow.id": "\(workflow)", "action": "\(verb.rawValue)"])
            let changed = if case .applied = applied { true } else { false }
            return Steered(
                workflow: workflow, status: applied.document.state.status, changed: changed, effects: ran,
                waiting: applied.document.outbox.count)
        } catch .notFound {
            throw ContractError(404, "no workflow \(workflow) for tenant \(tenant)")
        } catch {
            throw refused(error, ["tenant.id": "\(tenant)", "workflow.id": "\(workflow)"])
        }
    }

    /// Pause or resume a whole tenant: every unfinished workflow now, and new ones start paused.
    public func steerTenant(_ tenant: String, _ verb: SteeringVerb) async throws(ContractError) -> SteeredTenant {
        guard verb != .cancel else { throw ContractError(404, "unknown action cancel for a tenant") }
        do {
            try await setTenantPaused(tenant, verb == .pause)
        } catch {
            throw refused(.store(error), ["tenant.id": "\(tenant)"])
        }
        var result = SteeredTenant(tenant: tenant, paused: verb == .pause, workflows: [])
        for summary in try await summaries(tenant: tenant) where summary.status == .running || summary.status == .paused
        {
            do {
                _ = try await steer(tenant: tenant, workflow: summary.id, verb)
                result.workflows.append(summary.id)
            } catch {
                logger.warning(
                    "Could not steer a workflow of the tenant",
                    metadata: ["tenant.id": "\(tenant)", "workflow.id": "\(summary.id)", "error": "\(error.message)"])
                result.failed.append(summary.id)
            }
        }
        return result
    }

    /// Whether the tenant is paused (new workflows then start paused).
    public func tenantPaused(_ tenant: String) async throws(EngineError) -> Bool {
        do { return try await engine.sideDocuments.read(TenantState.document(tenant)).paused } catch {
            throw .store(error)
        }
    }

    func setTenantPaused(_ tenant: String, _ paused: Bool) async throws(StoreError) {
        try await engine.sideDocuments.modify(try TenantState.document(tenant)) { $0.paused = paused }
    }
}
