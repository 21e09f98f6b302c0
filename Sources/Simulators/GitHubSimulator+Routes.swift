import Foundation
import Hummingbird
import Workflow

/// The REST routes: Actions, pull request files and check runs.
extension GitHubSimulator {
    struct DispatchBody: Decodable {
        var ref: String
        var inputs: [String: String]?
        var return_run_details: Bool?
    }

    struct RunJSON: Encodable {
        var id: Int64
        var display_title: String
        var status: String
        var conclusion: String?
        var html_url: String
        var event = "workflow_dispatch"
    }

    func addActions(_ router: Router<BasicRequestContext>) {
        router.post("/repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches") { request, context in
            let body = try await Self.decode(DispatchBody.self, request)
            if await state.takeRateLimit(options.rateLimitedDispatches) {
                var response = Self.json(
                    ["message": "You have exceeded a secondary rate limit."], status: .tooManyRequests)
                response.headers[.retryAfter] = "7"
                return response
            }
            if options.legacyDispatch && body.return_run_details != nil {
                return Self.json(
                    ["message": "Invalid request.\n\n\"return_run_details\" is not a permitted key."],
                    status: .badRequest)
            }
            let inputs = body.inputs ?? [:]
            guard inputs.count <= 25 else { throw HTTPError(.unprocessableContent, message: "too many inputs") }
            guard let job = inputs[CIContract.Input.job] else {
                throw HTTPError(.unprocessableContent, message: "\(CIContract.Input.job) is required")
            }
            let id = await state.newID()
            let run = SimulatedRun(
                id: id, owner: context.parameters.get("owner") ?? "", repo: context.parameters.get("repo") ?? "",
                workflow: context.parameters.get("workflow") ?? "", title: CIContract.titlePrefix + job, inputs: inputs,
                status: "queued", conclusion: nil, headSHA: inputs[CIContract.Input.sha] ?? "")
            await state.addRun(run)
            enqueue.yield(.run(id))
            guard body.return_run_details == true else { return Response(status: .noContent) }
            return Self.json(
                DispatchAnswer(
                    workflow_run_id: id, run_url: "/repos/\(options.owner)/\(options.repo)/actions/runs/\(id)",
                    html_url: runURL(id)))
        }
        router.get("/repos/{owner}/{repo}/actions/workflows/{workflow}/runs") { _, context in
            let workflow = context.parameters.get("workflow") ?? ""
            let runs = await state.runs.filter { $0.workflow == workflow }.reversed().map {
                RunJSON(
                    id: $0.id, display_title: $0.title, status: $0.status, conclusion: $0.conclusion,
                    html_url: runURL($0.id))
            }
            return Self.json(RunList(total_count: runs.count, workflow_runs: Array(runs)))
        }
        router.get("/repos/{owner}/{repo}/actions/runs/{id}") { _, context in
            guard let id = context.parameters.get("id", as: Int64.self), let run = await state.run(id) else {
                return Self.json(["message": "Not Found"], status: .notFound)
            }
            return Self.json(
                RunJSON(
                    id: run.id, display_title: run.title, status: run.status, conclusion: run.conclusion,
                    html_url: runURL(run.id)))
        }
        router.get("/repos/{owner}/{repo}/actions/runs/{id}/jobs") { _, context in
            guard let id = context.parameters.get("id", as: Int64.self), let run = await state.run(id) else {
                return Self.json(["message": "Not Found"], status: .notFound)
            }
            return Self.json(JobList(total_count: 1, jobs: [Self.job(for: run)]))
        }
        router.post("/repos/{owner}/{repo}/actions/runs/{id}/cancel") { _, context in
            guard let id = context.parameters.get("id", as: Int64.self), let run = await state.run(id) else {
                return Self.json(["message": "Not Found"], status: .notFound)
            }
            guard run.status != "completed" else {
                return Self.json(["message": "Cannot cancel a completed run"], status: .conflict)
            }
            if let finished = await state.finish(id, conclusion: "cancelled") { enqueue.yield(.webhook(finished)) }
            return Self.json([String: String](), status: .accepted)
        }
    }

    struct DispatchAnswer: Encodable {
        var workflow_run_id: Int64
        var run_url: String
        var html_url: String
    }

    struct StepJSON: Encodable {
        var name: String
        var status: String
        var conclusion: String?
        var number: Int
    }
    struct JobJSON: Encodable {
        var id: Int64
        var run_id: Int64
        var name: String
        var status: String
        var conclusion: String?
        var steps: [StepJSON]
    }
    struct JobList: Encodable {
        var total_count: Int
        var jobs: [JobJSON]
    }

    /// The reference workflow's one job, its steps concluded as the run went.
    static func job(for run: SimulatedRun) -> JobJSON {
        let done = run.status == "completed"
        func step(_ name: String, _ number: Int, _ conclusion: String?) -> StepJSON {
            StepJSON(
                name: name, status: done ? "completed" : "in_progress", conclusion: done ? conclusion : nil,
                number: number)
        }
        let applied = run.applyFailed ? "failure" : "success"
        let tests = run.applyFailed ? "skipped" : run.conclusion
        return JobJSON(
            id: run.id * 10, run_id: run.id, name: "mutant", status: done ? "completed" : "in_progress",
            conclusion: done ? run.conclusion : nil,
            steps: [
                step("Set up job", 1, "success"), step("check out", 2, "success"),
                step(CIProvider.githubActions.applyStep, 3, applied), step("run tests", 4, tests),
            ])
    }

    struct RunList: Encodable {
        var total_count: Int
        var workflow_runs: [RunJSON]
    }

    struct FileJSON: Encodable {
        var filename: String
        var status: String
        var patch: String?
        var additions = 0
        var deletions = 0
    }

    func addPulls(_ router: Router<BasicRequestContext>) {
        router.get("/repos/{owner}/{repo}/pulls/{number}") { _, context in
            let number = context.parameters.get("number", as: Int.self) ?? -1
            guard options.pullNumber == 0 || number == options.pullNumber, let head = await state.pullHead else {
                return Self.json(["message": "Not Found"], status: .notFound)
            }
            struct Pull: Encodable {
                struct Head: Encodable { var sha: String }
                var number: Int
                var head: Head
            }
            return Self.json(Pull(number: number, head: .init(sha: head)))
        }
        router.get("/repos/{owner}/{repo}/contents/**") { request, context in
            let path = context.parameters.getCatchAll().map { $0.removingPercentEncoding ?? String($0) }.joined(
                separator: "/")
            guard let file = options.files.first(where: { $0.path == path }),
                request.uri.queryParameters.get("ref") != nil
            else {
                return Self.json(["message": "Not Found"], status: .notFound)
            }
            let text = options.sources[path] ?? Self.headText(file)
            return Self.json([
                "type": "file", "encoding": "base64", "path": path, "content": Data(text.utf8).base64EncodedString(),
            ])
        }
        router.get("/repos/{owner}/{repo}/pulls/{number}/files") { request, context in
            let number = context.parameters.get("number", as: Int.self) ?? -1
            guard options.pullNumber == 0 || number == options.pullNumber, !options.missingPulls.contains(number) else {
                return Self.json(["message": "Not Found"], status: .notFound)
            }
            let page = request.uri.queryParameters.get("page", as: Int.self) ?? 1
            let perPage = min(request.uri.queryParameters.get("per_page", as: Int.self) ?? 30, 100)
            let slice = options.files.dropFirst((page - 1) * perPage).prefix(perPage)
            return Self.json(slice.map { FileJSON(filename: $0.path, status: $0.status, patch: $0.patch) })
        }
    }

    /// A file's text at the head as its patch shows it: each added line where the patch puts it,
    /// a placeholder line elsewhere.
    static func headText(_ file: ChangedFile) -> String {
        let added = Diff.addedLines(in: file.patch ?? "")
        var lines = (0..<(added.map(\.number).max() ?? 0)).map { "// line \($0 + 1)" }
        for line in added where line.number >= 1 { lines[line.number - 1] = line.text }
        return lines.joined(separator: "\n") + "\n"
    }

    func runURL(_ id: Int64) -> String { "https://github.com/\(options.owner)/\(options.repo)/actions/runs/\(id)" }
}
