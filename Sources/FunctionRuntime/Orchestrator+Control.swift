import Engine
import Foundation
import Hashing
import Logging
import Workflow

/// A control API answer: a status and a JSON body.
public struct ControlAnswer: Sendable {
    public var status: Int
    public var body: Data

    static func json(_ status: Int, _ value: some Encodable) -> ControlAnswer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ControlAnswer(status: status, body: (try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    static func error(_ status: Int, _ message: String) -> ControlAnswer { json(status, ["error": message]) }
}

/// One row of the workflow list.
public struct WorkflowSummary: Codable, Sendable, Equatable {
    public var id: String
    public var repository: String
    public var pr: Int
    public var headSHA: String
    public var status: String
    public var score: Int?
    public var killed: Int
    public var survived: Int
    public var errored: Int
    public var started: String
    public var updated: String

    public init(_ document: Document<Run>) {
        let run = document.state
        let (killed, survived, errored) = run.tally
        id = document.id
        repository = run.pullRequest.repository
        pr = run.pullRequest.number
        headSHA = run.pullRequest.headSHA
        status = run.status
        score = run.report?.score.map(Report.percent)
        (self.killed, self.survived, self.errored) = (killed, survived, errored)
        started = UTC.iso8601(run.startedAt)
        updated = UTC.iso8601(document.updatedAt)
    }
}

/// A tenant's own state, stored beside its workflows.
struct TenantState: Codable { var paused: Bool }

extension Orchestrator {
    /// Who may act on `tenant`: the admin token anywhere, a tenant's API token on its own tenant only.
    public func authorize(_ authorization: String?, tenant: String) -> ControlAnswer? {
        guard Identifier.isValidTenant(tenant) else { return .error(400, "invalid tenant id \(tenant)") }
        guard let authorization, authorization.hasPrefix("Bearer ") else { return .error(401, "missing bearer token") }
        let given = String(authorization.dropFirst(7))
        if let adminToken, ConstantTime.equals(given, adminToken.value) {
            return tenants[tenant] == nil ? .error(404, "unknown tenant \(tenant)") : nil
        }
        guard let known = tenants[tenant] else { return .error(401, "wrong bearer token") }
        guard let token = known.apiToken, ConstantTime.equals(given, token.value) else { return .error(401, "wrong bearer token") }
        return nil
    }

    /// Every workflow of the tenant, newest first.
    public func summaries(tenant: String) async throws(EngineError) -> [WorkflowSummary] {
        var rows: [WorkflowSummary] = []
        for id in try await workflowIDs(tenant: tenant) {
            if let (document, _) = try await engine.load(tenant: tenant, id: id) { rows.append(WorkflowSummary(document)) }
        }
        return rows.sorted { ($0.started, $0.id) > ($1.started, $1.id) }
    }

    func workflowIDs(tenant: String) async throws(EngineError) -> [String] {
        do {
            return try await engine.store.listAll(prefix: StoreKey.workflowsPrefix(tenant: tenant)).compactMap(\.workflowID)
        } catch {
            throw .store(error)
        }
    }

    public func listAnswer(tenant: String) async -> ControlAnswer {
        do { return .json(200, try await summaries(tenant: tenant)) } catch { return .init(Answer.from(error)) }
    }

    public func showAnswer(tenant: String, workflow: String) async -> ControlAnswer {
        guard Identifier.isValid(workflow) else { return .error(400, "invalid workflow id \(workflow)") }
        do {
            guard let (document, _) = try await engine.load(tenant: tenant, id: workflow) else {
                return .error(404, "no workflow \(workflow) for tenant \(tenant)")
            }
            return .json(200, document)
        } catch {
            return .init(Answer.from(error))
        }
    }

    /// Pause, resume or cancel one workflow; its effects (dispatches, cancels) run now.
    public func steer(tenant: String, workflow: String, verb: String) async -> ControlAnswer {
        guard Identifier.isValid(workflow) else { return .error(400, "invalid workflow id \(workflow)") }
        guard let event = Self.event(verb) else { return .error(404, "unknown action \(verb)") }
        do {
            let applied = try await engine.apply(tenant: tenant, id: workflow, [EventInput(id: "control:\(verb):\(UUID().uuidString)", event: event)])
            try await run(applied, tenant: tenant, id: workflow)
            logger.info("Steered workflow", metadata: ["tenant.id": "\(tenant)", "workflow.id": "\(workflow)", "action": "\(verb)"])
            return .json(200, ["workflow": workflow, "status": applied.document.state.status])
        } catch .notFound {
            return .error(404, "no workflow \(workflow) for tenant \(tenant)")
        } catch {
            return .init(Answer.from(error))
        }
    }

    /// Pause or resume a whole tenant: every unfinished workflow now, and new ones start paused.
    public func steerTenant(_ tenant: String, verb: String) async -> ControlAnswer {
        guard verb == "pause" || verb == "resume" else { return .error(404, "unknown action \(verb)") }
        do {
            try await setTenantPaused(tenant, verb == "pause")
            var steered: [String] = []
            for id in try await workflowIDs(tenant: tenant) {
                guard let (document, _) = try await engine.load(tenant: tenant, id: id), document.state.outcome == nil else { continue }
                if await steer(tenant: tenant, workflow: id, verb: verb).status == 200 { steered.append(id) }
            }
            struct Body: Encodable { var tenant: String; var paused: Bool; var workflows: [String] }
            return .json(200, Body(tenant: tenant, paused: verb == "pause", workflows: steered))
        } catch {
            return .init(Answer.from(error))
        }
    }

    static func event(_ verb: String) -> Event? {
        switch verb {
        case "pause": .paused
        case "resume": .resumed
        case "cancel": .cancelRequested(reason: "cancelled through the control API")
        default: nil
        }
    }

    /// Whether the tenant is paused (new workflows then start paused).
    public func tenantPaused(_ tenant: String) async throws(EngineError) -> Bool {
        do {
            guard let stored = try await engine.store.read(StoreKey.tenantState(tenant)) else { return false }
            return (try? JSONDecoder().decode(TenantState.self, from: stored.data).paused) ?? false
        } catch {
            throw .store(error)
        }
    }

    func setTenantPaused(_ tenant: String, _ paused: Bool) async throws(EngineError) {
        do {
            try await engine.store.put(StoreKey.tenantState(tenant), JSONEncoder().encode(TenantState(paused: paused)))
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.corrupt("\(error)"))
        }
    }
}

extension ControlAnswer {
    init(_ answer: Answer) { self = .json(answer.status, answer.body) }
}
