import Engine
import Foundation
import Ingress
import Logging
import Workflow

/// The headers of a Buildkite delivery that Tinybug reads.
public struct BuildkiteHeaders: Sendable {
    public var event: String?
    public var signature: String?
    public var token: String?

    public init(event: String?, signature: String?, token: String?) {
        self.event = event
        self.signature = signature
        self.token = token
    }
}

extension Orchestrator {
    /// `POST /webhooks/buildkite/{tenant}`: the signature (or token), the event, then JSON.
    public func buildkiteWebhook(tenantID: String, headers: BuildkiteHeaders, body: Data, filter: EventFilter) async -> Answer {
        guard let tenant = tenants[tenantID] else { return .error(404, "unknown tenant \(tenantID)") }
        guard case .buildkite(_, _, _, let secret, let token) = tenant.ci else {
            return .error(404, "tenant \(tenantID) does not use Buildkite")
        }
        do {
            let now = engine.clock.now().milliseconds / 1000
            if let secret, headers.signature != nil || token == nil {
                try Signature.verifyBuildkite(header: headers.signature, body: body, secret: secret, now: now)
            } else if let token {
                try Signature.verifyBuildkiteToken(header: headers.token, token: token)
            }
        } catch {
            return .from(error)
        }
        guard let event = headers.event, !event.isEmpty else {
            return .error(400, "X-Buildkite-Event is missing", field: "X-Buildkite-Event")
        }
        if event == "ping" { return .ok("pong") }
        guard filter.accepts("workflow_run") else { return .ignored("event \(event) is not handled by this function") }
        do {
            switch try BuildkiteWebhook.decode(event: event, body: body) {
            case .ping: return .ok("pong")
            case .ignored(let reason): return .ignored(reason)
            case .buildFinished(let job, let conclusion, let number, let url, let eventID):
                return try await completion(job, conclusion, runID: Int64(number), url: url, tenant: tenant, eventID: eventID)
            }
        } catch let error as PayloadError {
            return .from(error)
        } catch let error as EngineError {
            return .from(error)
        } catch {
            return .error(500, "\(error)")
        }
    }
}
