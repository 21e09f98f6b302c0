import Foundation
import Hummingbird
import Workflow

/// Check runs: create, list by commit and name, update (annotations accumulate, as on GitHub).
extension GitHubSimulator {
    struct CreateCheck: Decodable {
        var name: String
        var head_sha: String
        var status: String?
        var external_id: String?
    }
    struct AnnotationJSON: Decodable {
        var path: String
        var start_line: Int
        var title: String?
        var message: String
    }
    struct OutputJSON: Decodable {
        var title: String?
        var summary: String?
        var annotations: [AnnotationJSON]?
    }
    struct ActionJSON: Decodable {
        var label: String
        var description: String
        var identifier: String
    }
    struct UpdateCheck: Decodable {
        var status: String?
        var conclusion: String?
        var output: OutputJSON?
        var actions: [ActionJSON]?
    }
    struct CheckJSON: Encodable {
        var id: Int64
        var name: String
        var head_sha: String
        var external_id: String?
        var status: String
        var conclusion: String?
    }
    struct CheckList: Encodable {
        var total_count: Int
        var check_runs: [CheckJSON]
    }

    func addChecks(_ router: Router<BasicRequestContext>) {
        router.post("/repos/{owner}/{repo}/check-runs") { request, _ in
            let body = try await Self.decode(CreateCheck.self, request)
            let check = SimulatedCheckRun(
                id: await state.newID(), name: body.name, headSHA: body.head_sha, externalID: body.external_id,
                status: body.status ?? "queued", conclusion: nil, title: nil, summary: nil, annotations: [], updates: 0)
            await state.addCheckRun(check)
            return Self.json(Self.checkJSON(check), status: .created)
        }
        router.get("/repos/{owner}/{repo}/commits/{sha}/check-runs") { request, context in
            let sha = context.parameters.get("sha") ?? ""
            let name = request.uri.queryParameters.get("check_name")
            let checks = await state.checkRuns.filter { $0.headSHA == sha && (name == nil || $0.name == name) }
            return Self.json(CheckList(total_count: checks.count, check_runs: checks.map(Self.checkJSON)))
        }
        router.patch("/repos/{owner}/{repo}/check-runs/{id}") { request, context in
            let body = try await Self.decode(UpdateCheck.self, request)
            guard (body.output?.annotations?.count ?? 0) <= 50 else {
                throw HTTPError(.unprocessableContent, message: "at most 50 annotations per request")
            }
            if let actions = body.actions {
                // GitHub's bounds on a check run's buttons.
                guard actions.count <= 3,
                    actions.allSatisfy({
                        $0.label.count <= 20 && $0.identifier.count <= 20 && $0.description.count <= 40
                    })
                else {
                    throw HTTPError(
                        .unprocessableContent, message: "actions: at most 3, label and identifier 20, description 40")
                }
            }
            let id = context.parameters.get("id", as: Int64.self) ?? 0
            let found = await state.updateCheckRun(id) { check in
                if let actions = body.actions { check.actions = actions.map(\.identifier) }
                check.updates += 1
                check.status = body.status ?? check.status
                check.conclusion = body.conclusion ?? check.conclusion
                check.title = body.output?.title ?? check.title
                check.summary = body.output?.summary ?? check.summary
                check.annotations += (body.output?.annotations ?? []).map {
                    Annotation(path: $0.path, line: $0.start_line, title: $0.title ?? "", message: $0.message)
                }
            }
            return found ? Self.json(["id": id]) : Self.json(["message": "Not Found"], status: .notFound)
        }
    }

    static func checkJSON(_ check: SimulatedCheckRun) -> CheckJSON {
        CheckJSON(
            id: check.id, name: check.name, head_sha: check.headSHA, external_id: check.externalID,
            status: check.status, conclusion: check.conclusion)
    }
}
