import Egress
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

/// Intake: a GitHub delivery in, the engine changed, its effects run.
extension Orchestrator {
    /// `POST /webhooks/github/{tenant}` and, with `tenantID` nil, the GitHub App route.
    /// Order: tenant (by path), signature over the raw bytes, headers, JSON, then (App route) the
    /// tenant by the payload's installation.
    public func gitHubWebhook(tenantID: String?, headers: WebhookHeaders, body: Data, filter: EventFilter)
        async throws(ContractError) -> Answer
    {
        var byPath: Tenant? = nil
        if let tenantID {
            byPath = try verifiedTenant(tenantID, headers: headers, body: body)
        } else {
            try verifyApp(headers: headers, body: body)
        }
        guard let event = headers.event, !event.isEmpty else {
            throw ContractError(400, "X-GitHub-Event is missing", field: "X-GitHub-Event")
        }
        if event == "ping" { return .ok("pong") }
        guard filter.accepts(event) else { return .ignored("event \(event) is not handled by this function") }
        guard let delivery = headers.delivery, !delivery.isEmpty else {
            throw ContractError(400, "X-GitHub-Delivery is missing", field: "X-GitHub-Delivery")
        }
        let decoded: GitHubWebhook
        do { decoded = try GitHubWebhook.decode(event: event, body: body) } catch { throw ContractError(error) }
        let installation: Int64?
        switch decoded {
        case .ping: return .ok("pong")
        case .ignored(let reason): return .ignored(reason)
        case .pullRequest(_, _, let id, _), .workflowRunCompleted(_, _, _, _, let id), .checkRun(_, let id),
            .checkSuiteRerequested(_, let id):
            installation = id
        }
        let tenant: Tenant
        if let byPath { tenant = byPath } else { tenant = try appTenant(installation) }
        switch decoded {
        case .pullRequest(let action, let pr, _, let draft):
            do { return try await pullRequest(action, pr, draft: draft, tenant: tenant, delivery: delivery) } catch {
                throw refused(error, ["tenant.id": "\(tenant.id)", "delivery.id": "\(delivery)"])
            }
        case .workflowRunCompleted(let job, let conclusion, let runID, let url, _):
            return try await completion(job, conclusion, runID: runID, url: url, tenant: tenant, eventID: delivery)
        case .checkRun(let request, _):
            return try await checkRun(request, tenant: tenant, delivery: delivery)
        case .checkSuiteRerequested(let request, _):
            return try await checkSuite(request, tenant: tenant, delivery: delivery)
        case .ping, .ignored:
            return .ignored("nothing to do")
        }
    }

    /// Whether a webhook to `tenantID` (nil: the App route) can be taken at all, decided from the
    /// path before a byte of its body is read.
    public func checkReceiving(tenantID: String?) throws(ContractError) {
        if let tenantID { _ = try tenants.require(tenantID) } else { _ = try tenants.requireAppSecret() }
    }

    private func verifiedTenant(_ id: String, headers: WebhookHeaders, body: Data) throws(ContractError) -> Tenant {
        let tenant = try tenants.require(id)
        guard let secret = tenant.githubWebhookSecret else {
            throw ContractError(401, "tenant \(id) has no GitHub webhook secret")
        }
        do { try Signature.verifyGitHub(header: headers.signature256, body: body, secret: secret) } catch {
            throw ContractError(error)
        }
        return tenant
    }

    private func verifyApp(headers: WebhookHeaders, body: Data) throws(ContractError) {
        let secret = try tenants.requireAppSecret()
        do { try Signature.verifyGitHub(header: headers.signature256, body: body, secret: secret) } catch {
            throw ContractError(error)
        }
    }

    private func appTenant(_ installation: Int64?) throws(ContractError) -> Tenant {
        guard let installation else { throw ContractError(400, "installation.id is missing", field: "installation.id") }
        guard let tenant = tenants.byInstallation(installation) else {
            throw ContractError(404, "no tenant for installation \(installation)")
        }
        return tenant
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
        if let newer = try await newerMeasurement(than: pr, id: id, tenant: tenant) {
            return .ok("an older push than the one being measured: nothing changed", workflow: newer)
        }
        _ = try await endOthers(
            of: pr, tenant: tenant, except: id, event: .superseded(by: pr.headSHA), delivery: delivery)
        try await remember(id, of: pr, tenant: tenant.id)
        let created = try await startRun(
            id: id, of: pr, tenant: tenant.id, settings: tenant.settings, eventID: delivery)
        guard let created else {
            return .ok("duplicate: this commit is already measured", workflow: id)
        }
        logger.info(
            "Started workflow",
            metadata: ["tenant.id": "\(tenant.id)", "workflow.id": "\(id)", "delivery.id": "\(delivery)"])
        try await carryOut(created, tenant: tenant.id, id: id)
        return .accepted(id)
    }

    /// A new workflow of `pr`, measured with `settings` (paused if its tenant is); nil when
    /// `eventID` made it already.
    func startRun(id: String, of pr: PullRequest, tenant: String, settings: Settings, eventID: String)
        async throws(EngineError) -> Applied<Run>?
    {
        let paused = try await tenantPaused(tenant)
        return try await engine.create(tenant: tenant, id: id, eventID: eventID) { now in
            Run.start(id: id, tenant: tenant, pullRequest: pr, settings: settings, paused: paused, now: now)
        }
    }

    /// The workflow of a newer push of the PR, if `pr` (a redelivery, or a captured body sent again)
    /// is older: by `updated_at` against every workflow of the PR, and when that cannot decide, by the
    /// head GitHub has now (asked once, only about unfinished measurements).
    private func newerMeasurement(than pr: PullRequest, id: String, tenant: Tenant) async throws(EngineError) -> String?
    {
        var undecided: [(id: String, sha: String)] = []
        for other in try await workflows(of: pr, tenant: tenant.id) where other != id {
            guard let (document, _) = try await engine.load(tenant: tenant.id, id: other) else { continue }
            let measured = document.state.pullRequest
            guard measured.number == pr.number, measured.repository == pr.repository, measured.headSHA != pr.headSHA
            else {
                continue
            }
            if Self.isNewer(measured, than: pr) { return other }
            if document.state.outcome == nil, measured.updatedAt == nil || measured.updatedAt == pr.updatedAt {
                undecided.append((other, measured.headSHA))
            }
        }
        guard !undecided.isEmpty, let head = await currentHead(of: pr, tenant: tenant) else { return nil }
        return undecided.first { $0.sha == head }?.id
    }

    /// Whether `measured` comes from a later event than `pr`, by GitHub's `updated_at`.
    static func isNewer(_ measured: PullRequest, than pr: PullRequest) -> Bool {
        guard let newer = measured.updatedAt, let event = pr.updatedAt else { return false }
        return newer > event
    }

    /// The head GitHub has now, or nil when GitHub cannot say (the event then goes on as before).
    private func currentHead(of pr: PullRequest, tenant: Tenant) async -> String? {
        do { return try await executor.base.base.pullRequestHead(pr, tenant: tenant.id) } catch {
            logger.warning(
                "Could not ask GitHub for the pull request's head",
                metadata: ["tenant.id": "\(tenant.id)", "error": "\(error)"])
            return nil
        }
    }

    /// Applies `event` to every unfinished workflow of the PR other than `except`.
    private func endOthers(of pr: PullRequest, tenant: Tenant, except: String?, event: Event, delivery: String)
        async throws(EngineError) -> [String]
    {
        var ended: [String] = []
        for id in try await workflows(of: pr, tenant: tenant.id) where id != except {
            guard let (document, _) = try await engine.load(tenant: tenant.id, id: id),
                document.state.pullRequest.number == pr.number, document.state.pullRequest.repository == pr.repository,
                document.state.outcome == nil,
                // An event older than the measurement (a stale close, a racing older push) leaves it alone.
                !Self.isNewer(document.state.pullRequest, than: pr)
            else { continue }
            let applied = try await engine.apply(
                tenant: tenant.id, id: id, [EventInput(id: "\(delivery):\(id)", event: event)])
            try await carryOut(applied, tenant: tenant.id, id: id)
            ended.append(id)
        }
        return ended
    }
}
