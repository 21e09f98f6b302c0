import Engine
import Foundation
import Ingress
import Logging
import Workflow

/// Intake on a CI provider's own webhook route (`/webhooks/<provider>/{tenant}`).
extension Orchestrator {
    /// The tenant, its credentials for the provider, the event, then JSON.
    public func ciWebhook(
        _ provider: CIProvider, tenantID: String, header: (String) -> String?, body: Data, filter: EventFilter
    ) async throws(ContractError) -> Answer {
        let tenant = try tenants.require(tenantID)
        guard tenant.ci.provider == provider, let credentials = tenant.ci.webhookCredentials else {
            throw ContractError(404, "tenant \(tenantID) does not use \(provider.rawValue)")
        }
        do {
            let now = engine.clock.now().milliseconds / 1000
            try provider.authenticate(header: header, body: body, credentials: credentials, now: now)
        } catch {
            throw ContractError(error)
        }
        guard let event = header(provider.eventHeader), !event.isEmpty else {
            throw ContractError(400, "\(provider.eventHeader) is missing", field: provider.eventHeader)
        }
        if event == "ping" { return .ok("pong") }
        guard filter.accepts("workflow_run") else { return .ignored("event \(event) is not handled by this function") }
        let delivery: CIDelivery
        do { delivery = try provider.decodeDelivery(event: event, body: body) } catch { throw ContractError(error) }
        switch delivery {
        case .ping: return .ok("pong")
        case .ignored(let reason): return .ignored(reason)
        case .finished(let job, let conclusion, let runID, let url, let eventID):
            return try await completion(job, conclusion, runID: runID, url: url, tenant: tenant, eventID: eventID)
        }
    }
}
