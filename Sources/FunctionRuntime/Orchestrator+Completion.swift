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
    ) async throws(EngineError) -> Answer {
        guard let job else { return .ignored("not a Tinybug run") }
        guard job.tenant == tenant.id else {
            logger.warning("Completion names another tenant", metadata: ["tenant.id": "\(tenant.id)", "job.key": "\(job)"])
            return .error(401, "the job key names another tenant than the one whose secret signed it")
        }
        let event = Event.ciFinished(job, conclusion, ciRunID: runID, url: url)
        let applied: Applied<Run>
        do {
            applied = try await engine.apply(tenant: tenant.id, id: job.workflow, [EventInput(id: eventID, event: event)])
        } catch .notFound {
            return .ignored("no workflow \(job.workflow)")
        }
        switch applied {
        case .duplicate: return .ok("duplicate delivery", workflow: job.workflow)
        case .unchanged: return .ok("nothing to change", workflow: job.workflow)
        case .applied:
            try await run(applied, tenant: tenant.id, id: job.workflow)
            return .accepted(job.workflow)
        }
    }
}
