import Engine
import Foundation
import Ingress
import Logging
import Workflow

/// A CI run finished, whichever CI system said so.
extension Orchestrator {
    /// Applies a completion to the workflow its job key names. A key that names another tenant
    /// than the one whose secret signed the delivery is refused and changes nothing.
    func completion(
        _ job: JobKey?, _ conclusion: CIConclusion, runID: Int64?, url: String?, tenant: Tenant, eventID: String
    ) async throws(ContractError) -> Answer {
        guard let job else { return .ignored("not a Tinybug run") }
        guard job.tenant == tenant.id else {
            logger.warning(
                "Completion names another tenant", metadata: ["tenant.id": "\(tenant.id)", "job.key": "\(job)"])
            throw ContractError(401, "the job key names another tenant than the one whose secret signed it")
        }
        let event = Event.ciFinished(job, conclusion, ciRunID: runID, url: url)
        do {
            let applied = try await engine.apply(
                tenant: tenant.id, id: job.workflow, [EventInput(id: eventID, event: event)])
            switch applied {
            case .duplicate: return .ok("duplicate delivery", workflow: job.workflow)
            case .unchanged: return .ok("nothing to change", workflow: job.workflow)
            case .applied:
                try await carryOut(applied, tenant: tenant.id, id: job.workflow)
                return .accepted(job.workflow)
            }
        } catch .notFound {
            return .ignored("no workflow \(job.workflow)")
        } catch {
            throw refused(error, ["tenant.id": "\(tenant.id)", "delivery.id": "\(eventID)", "job.key": "\(job)"])
        }
    }
}
