import Engine
import Foundation
import Logging
import Workflow

/// What a rerun did: the mutants it measures again, in the same workflow.
public struct Rerun: Codable, Sendable, Equatable {
    public var workflow: String
    public var only: String
    /// The chosen mutants (`m3`…).
    public var mutants: [String]
    public var status: MeasurementStatus
}

/// What a restart did: the new workflow that measures the same head.
public struct Restart: Codable, Sendable, Equatable {
    public var workflow: String
    /// The workflow it measures again (superseded if it was still measuring).
    public var restarted: String
}

/// Measuring again: the check run's buttons, the control API and the CLI share this code.
extension Orchestrator {
    /// Fresh attempts for the chosen mutants of a finished workflow, on a new check run. Refused
    /// with 409 (and the reason) while it still measures, or when none is chosen.
    /// - Parameter eventID: the delivery that asked (a redelivery then changes nothing).
    public func rerun(tenant: String, workflow: String, only: RerunSelection, eventID: String? = nil)
        async throws(ContractError) -> Rerun
    {
        let document = try await self.document(tenant: tenant, workflow: workflow)
        if let eventID, document.appliedEvents.contains(eventID) {
            return Rerun(
                workflow: workflow, only: only.rawValue, mutants: [], status: document.state.status)
        }
        if let refusal = document.state.rerunRefusal(only) { throw ContractError(409, refusal) }
        let chosen = document.state.rerunCandidates(only).map { "m\($0)" }
        do throws(EngineError) {
            var inputs = [
                EventInput(
                    id: eventID ?? "control:rerun:\(UUID().uuidString)", event: Workflow.Event.rerunRequested(only))
            ]
            // A paused tenant's rerun waits like its new workflows do.
            if try await tenantPaused(tenant) {
                inputs.append(
                    EventInput(id: "rerun-paused:\(UUID().uuidString)", event: Workflow.Event.paused, remembered: false)
                )
            }
            let applied = try await engine.apply(tenant: tenant, id: workflow, inputs)
            try await carryOut(applied, tenant: tenant, id: workflow)
            logger.info(
                "Measuring mutants again",
                metadata: [
                    "tenant.id": "\(tenant)", "workflow.id": "\(workflow)", "mutants.count": "\(chosen.count)",
                ])
            return Rerun(
                workflow: workflow, only: only.rawValue, mutants: chosen, status: applied.document.state.status)
        } catch {
            throw refused(error, ["tenant.id": "\(tenant)", "workflow.id": "\(workflow)"])
        }
    }

    /// A new measurement of the workflow's head as a new workflow (`<id>-r2`, `-r3`…); the old one,
    /// if still measuring, ends superseded. A workflow restarted already is followed to the latest.
    public func restart(tenant: String, workflow: String, eventID: String? = nil) async throws(ContractError)
        -> Restart
    {
        var document = try await self.document(tenant: tenant, workflow: workflow)
        if let eventID, document.appliedEvents.contains(eventID), let again = document.state.restartedAs {
            return Restart(workflow: again, restarted: workflow)
        }
        do throws(EngineError) {
            while let next = document.state.restartedAs,
                let (later, _) = try await engine.load(tenant: tenant, id: next)
            {
                document = later
            }
            let old = document.state
            let id = try await nextRestartID(of: old, tenant: tenant)
            try await remember(id, of: old.pullRequest, tenant: tenant)
            let ended = try await engine.apply(
                tenant: tenant, id: old.id,
                [EventInput(id: eventID ?? "control:restart:\(UUID().uuidString)", event: .restarted(as: id))])
            try await carryOut(ended, tenant: tenant, id: old.id)
            // The tenant's limits now; the old measurement's when the tenants are not known (the CLI).
            let settings = tenants[tenant]?.settings ?? old.settings
            let created = try await startRun(
                id: id, of: old.pullRequest, tenant: tenant, settings: settings, eventID: "restart:\(old.id)")
            if let created { try await carryOut(created, tenant: tenant, id: id) }
            logger.info(
                "Measuring a head again from the start",
                metadata: ["tenant.id": "\(tenant)", "workflow.id": "\(id)", "restarted": "\(old.id)"])
            return Restart(workflow: id, restarted: old.id)
        } catch {
            throw refused(error, ["tenant.id": "\(tenant)", "workflow.id": "\(workflow)"])
        }
    }

    /// `<head's workflow id>-r<n>` with n one more than any restart of this head the PR has had.
    func nextRestartID(of run: Run, tenant: String) async throws(EngineError) -> String {
        let base = Identifier.workflow(for: run.pullRequest)
        let generations = try await workflows(of: run.pullRequest, tenant: tenant).compactMap { id -> Int? in
            guard id.hasPrefix(base + "-r") else { return nil }
            return Int(id.dropFirst(base.count + 2))
        }
        return "\(base)-r\((generations.max() ?? 1) + 1)"
    }
}
