import Engine
import Foundation
import Ingress
import Logging
import Workflow

/// The headers of a webhook delivery that Tinybug reads.
public struct WebhookHeaders: Sendable {
    public var event: String?
    public var delivery: String?
    public var signature256: String?

    public init(event: String?, delivery: String?, signature256: String?) {
        self.event = event
        self.delivery = delivery
        self.signature256 = signature256
    }
}

/// Which GitHub events a function acts on; the others it answers 202 and leaves alone.
public enum EventFilter: Sendable {
    case all
    case only(Set<String>)

    func accepts(_ event: String) -> Bool {
        switch self {
        case .all: true
        case .only(let events): events.contains(event)
        }
    }
}

extension Orchestrator {
    /// `POST /webhooks/github/{tenant}` and, with `tenantID` nil, the GitHub App route.
    /// Order: tenant, signature over the raw bytes, headers, then JSON.
    public func gitHubWebhook(tenantID: String?, headers: WebhookHeaders, body: Data, filter: EventFilter) async -> Answer {
        let tenant: Tenant
        switch resolveTenant(tenantID, headers: headers, body: body) {
        case .success(let found): tenant = found
        case .failure(let error): return error.answer
        }
        guard let event = headers.event, !event.isEmpty else { return .error(400, "X-GitHub-Event is missing", field: "X-GitHub-Event") }
        if event == "ping" { return .ok("pong") }
        guard filter.accepts(event) else { return .ignored("event \(event) is not handled by this function") }
        guard let delivery = headers.delivery, !delivery.isEmpty else {
            return .error(400, "X-GitHub-Delivery is missing", field: "X-GitHub-Delivery")
        }
        do {
            switch try GitHubWebhook.decode(event: event, body: body) {
            case .ping: return .ok("pong")
            case .ignored(let reason): return .ignored(reason)
            case .pullRequest(let action, let pr, _, let draft):
                return try await pullRequest(action, pr, draft: draft, tenant: tenant, delivery: delivery)
            case .workflowRunCompleted(let job, let conclusion, let runID, let url, _):
                return try await completion(job, conclusion, runID: runID, url: url, tenant: tenant, eventID: delivery)
            }
        } catch let error as PayloadError {
            return .from(error)
        } catch let error as EngineError {
            logger.error("Webhook not applied", metadata: ["tenant.id": "\(tenant.id)", "delivery.id": "\(delivery)", "error": "\(error)"])
            return .from(error)
        } catch {
            return .error(500, "\(error)")
        }
    }

    private func resolveTenant(_ tenantID: String?, headers: WebhookHeaders, body: Data) -> Result<Tenant, AnswerError> {
        if let tenantID {
            guard let tenant = tenants[tenantID] else { return .failure(AnswerError(.error(404, "unknown tenant \(tenantID)"))) }
            guard let secret = tenant.githubWebhookSecret else {
                return .failure(AnswerError(.error(401, "tenant \(tenantID) has no GitHub webhook secret")))
            }
            do { try Signature.verifyGitHub(header: headers.signature256, body: body, secret: secret) } catch {
                return .failure(AnswerError(.from(error)))
            }
            return .success(tenant)
        }
        guard let secret = tenants.appWebhookSecret else { return .failure(AnswerError(.error(404, "no GitHub App is configured"))) }
        do { try Signature.verifyGitHub(header: headers.signature256, body: body, secret: secret) } catch {
            return .failure(AnswerError(.from(error)))
        }
        guard headers.event != "ping" else { return .failure(AnswerError(.ok("pong"))) }
        guard let installation = try? JSONDecoder().decode(InstallationOnly.self, from: body).installation?.id else {
            return .failure(AnswerError(.error(400, "installation.id is missing", field: "installation.id")))
        }
        guard let tenant = tenants.byInstallation(installation) else {
            return .failure(AnswerError(.error(404, "no tenant for installation \(installation)")))
        }
        return .success(tenant)
    }

    private func pullRequest(
        _ action: GitHubWebhook.PullRequestAction, _ pr: PullRequest, draft: Bool, tenant: Tenant, delivery: String
    ) async throws(EngineError) -> Answer {
        if action == .closed {
            let ended = try await endOthers(of: pr, tenant: tenant, except: nil, event: .closed, delivery: delivery)
            return .accepted(workflows: ended)
        }
        if draft && !tenant.measureDrafts { return .ignored("draft pull requests are measured once ready for review") }
        let id = Identifier.workflow(for: pr)
        _ = try await endOthers(of: pr, tenant: tenant, except: id, event: .superseded(by: pr.headSHA), delivery: delivery)
        try await remember(id, of: pr, tenant: tenant.id)
        let paused = try await tenantPaused(tenant.id)
        let created = try await engine.create(tenant: tenant.id, id: id, eventID: delivery) { now in
            Run.start(id: id, tenant: tenant.id, pullRequest: pr, settings: tenant.settings, paused: paused, now: now)
        }
        guard let created else {
            return .ok("duplicate: this commit is already measured", workflow: id)
        }
        logger.info("Started workflow", metadata: ["tenant.id": "\(tenant.id)", "workflow.id": "\(id)", "delivery.id": "\(delivery)"])
        try await run(created, tenant: tenant.id, id: id)
        return .accepted(id)
    }

    /// Applies `event` to every unfinished workflow of the PR other than `except`.
    private func endOthers(of pr: PullRequest, tenant: Tenant, except: String?, event: Event, delivery: String)
        async throws(EngineError) -> [String]
    {
        var ended: [String] = []
        for id in try await workflows(of: pr, tenant: tenant.id) where id != except {
            guard let (document, _) = try await engine.load(tenant: tenant.id, id: id),
                document.state.pullRequest.number == pr.number, document.state.pullRequest.repository == pr.repository,
                document.state.outcome == nil
            else { continue }
            let applied = try await engine.apply(tenant: tenant.id, id: id, [EventInput(id: "\(delivery):\(id)", event: event)])
            try await run(applied, tenant: tenant.id, id: id)
            ended.append(id)
        }
        return ended
    }
}

struct AnswerError: Error { var answer: Answer; init(_ answer: Answer) { self.answer = answer } }

private struct InstallationOnly: Decodable {
    struct Installation: Decodable { var id: Int64 }
    var installation: Installation?
}
