import Foundation
import Workflow

/// Check runs: created `in_progress` when a workflow starts, completed with the report.
extension GitHubClient {
    struct CheckRun: Decodable {
        var id: Int64
        var name: String?
        var external_id: String?
    }
    struct CheckRuns: Decodable { var check_runs: [CheckRun] }

    struct CreateBody: Encodable, Sendable {
        var name: String
        var head_sha: String
        var status: String
        var external_id: String
    }

    struct Output: Encodable, Sendable {
        var title: String
        var summary: String
        var annotations: [AnnotationBody]
    }

    struct AnnotationBody: Encodable, Sendable {
        var path: String
        var start_line: Int
        var end_line: Int
        var annotation_level: String
        var title: String
        var message: String
    }

    struct UpdateBody: Encodable, Sendable {
        var status: String?
        var conclusion: String?
        var output: Output
        var actions: [CheckRunAction]?
    }

    /// Our check run on the PR's head, found by name and external id; nil when there is none yet.
    public func findCheckRun(_ pr: PullRequest, workflow: String) async throws(RESTError) -> Int64? {
        let name = CIContract.GitHub.checkName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let path = "\(Self.repository(pr))/commits/\(pr.headSHA)/check-runs?check_name=\(name)"
        let runs = try await rest.fetch(CheckRuns.self, "GET", path)
        return runs.check_runs.first { $0.external_id == workflow || $0.external_id == nil }?.id
    }

    /// Our check run, created `in_progress` unless it exists already.
    public func ensureCheckRun(_ pr: PullRequest, workflow: String) async throws(RESTError) -> Int64 {
        if let existing = try await findCheckRun(pr, workflow: workflow) { return existing }
        return try await createCheckRun(pr, workflow: workflow)
    }

    /// Creates our check run `in_progress`, without looking for one first.
    public func createCheckRun(_ pr: PullRequest, workflow: String) async throws(RESTError) -> Int64 {
        let body = CreateBody(
            name: CIContract.GitHub.checkName, head_sha: pr.headSHA, status: "in_progress", external_id: workflow)
        return try await rest.fetch(CheckRun.self, "POST", "\(Self.repository(pr))/check-runs", json: body).id
    }

    /// Completes the check run with the report; annotations go 50 per request, as GitHub allows.
    public func completeCheckRun(_ pr: PullRequest, id: Int64, report: Report) async throws(RESTError) {
        let annotations = report.annotations.map {
            AnnotationBody(
                path: $0.path, start_line: $0.line, end_line: $0.line,
                annotation_level: $0.level?.rawValue ?? "warning", title: $0.title,
                message: $0.message)
        }
        let batches = stride(from: 0, to: max(annotations.count, 1), by: 50).map {
            Array(annotations[min($0, annotations.count)..<min($0 + 50, annotations.count)])
        }
        let path = "\(Self.repository(pr))/check-runs/\(id)"
        for (index, batch) in batches.enumerated() {
            let last = index == batches.count - 1
            let output = Output(title: report.title, summary: report.summary, annotations: batch)
            let body = UpdateBody(
                status: last ? "completed" : nil, conclusion: last ? report.conclusion.rawValue : nil, output: output,
                actions: last ? report.actions.map { Array($0.prefix(3)) } : nil)  // GitHub takes three buttons
            _ = try await rest.send("PATCH", path, json: body)
        }
    }
}
