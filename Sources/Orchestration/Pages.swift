import Engine
import Foundation
import Logging
import Workflow

/// The read models behind the pages, the control API's reads and the CLI's listings.
extension Orchestrator {
    /// Every workflow of the tenant, newest first.
    public func summaries(tenant: String) async throws(ContractError) -> [WorkflowSummary] {
        do {
            var rows: [WorkflowSummary] = []
            for id in try await workflowIDs(tenant: tenant) {
                if let (document, _) = try await engine.load(tenant: tenant, id: id) {
                    rows.append(WorkflowSummary(document))
                }
            }
            return rows.sorted { ($0.started, $0.id) > ($1.started, $1.id) }
        } catch {
            throw refused(error, ["tenant.id": "\(tenant)"])
        }
    }

    /// One workflow's whole document, history included.
    public func document(tenant: String, workflow: String) async throws(ContractError) -> Document<Run> {
        guard Identifier.isValid(workflow) else { throw ContractError(400, "invalid workflow id \(workflow)") }
        let loaded: (Document<Run>, Version)?
        do { loaded = try await engine.load(tenant: tenant, id: workflow) } catch {
            throw refused(error, ["tenant.id": "\(tenant)", "workflow.id": "\(workflow)"])
        }
        guard let (document, _) = loaded else {
            throw ContractError(404, "no workflow \(workflow) for tenant \(tenant)")
        }
        return document
    }

    func workflowIDs(tenant: String) async throws(EngineError) -> [String] {
        do {
            return try await engine.store.listAll(prefix: StoreKey.workflowsPrefix(tenant: tenant)).compactMap(
                \.workflowID)
        } catch {
            throw .store(error)
        }
    }
}
