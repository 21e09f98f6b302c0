import Foundation
import Hashing
import Workflow

/// GitHub's REST API, as Tinybug uses it: workflow dispatch, runs, PR files and check runs.
public struct GitHubClient: Sendable {
    let rest: RESTClient

    public init(apiURL: String, token: Secret) {
        rest = RESTClient(baseURL: apiURL, headers: Self.headers(token))
    }

    /// A client over a shared connection pool (`RESTClientPool`).
    public init(rest: RESTClient) { self.rest = rest }

    /// What every call to GitHub sends, with `token` as the bearer.
    public static func headers(_ token: Secret) -> [String: String] {
        [
            "Authorization": "Bearer \(token.value)", "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "tinybug",
        ]
    }

    struct DispatchBody: Encodable, Sendable {
        var ref: String
        var inputs: [String: String]
        var return_run_details: Bool?
    }

    struct DispatchAnswer: Decodable {
        var workflow_run_id: Int64?
        var html_url: String?
    }

    /// Dispatches a `workflow_dispatch` run. GitHub answers 200 with the run's id when asked for
    /// run details; older servers reject that field with 400, so it is retried without it (204, no id).
    public func dispatch(_ pr: PullRequest, workflow: String, ref: String, inputs: [String: String])
        async throws(RESTError)
        -> (runID: Int64?, url: String?)
    {
        let path = "\(Self.repository(pr))/actions/workflows/\(PathSegment.encode(workflow))/dispatches"
        do {
            let (status, data) = try await rest.send(
                "POST", path, json: DispatchBody(ref: ref, inputs: inputs, return_run_details: true))
            guard status == 200, let answer = try? JSONDecoder().decode(DispatchAnswer.self, from: data) else {
                return (nil, nil)
            }
            return (answer.workflow_run_id, answer.html_url)
        } catch .status(400, _, _) {
            _ = try await rest.send("POST", path, json: DispatchBody(ref: ref, inputs: inputs, return_run_details: nil))
            return (nil, nil)
        }
    }

    struct Runs: Decodable { var workflow_runs: [Run] }
    struct Run: Decodable {
        var id: Int64
        var display_title: String?
        var html_url: String?
        var status: String?
        var conclusion: String?
    }

    /// The workflow's dispatched run whose title is `title`, if any.
    public func findRun(_ pr: PullRequest, workflow: String, title: String) async throws(RESTError)
        -> (id: Int64, url: String?, status: String?, conclusion: String?)?
    {
        let path =
            "\(Self.repository(pr))/actions/workflows/\(PathSegment.encode(workflow))/runs?event=workflow_dispatch&per_page=100"
        let runs = try await rest.fetch(Runs.self, "GET", path)
        guard let run = runs.workflow_runs.first(where: { $0.display_title == title }) else { return nil }
        return (run.id, run.html_url, run.status, run.conclusion)
    }

    /// Cancels a run; a run that already finished (409) counts as cancelled.
    public func cancelRun(_ pr: PullRequest, runID: Int64) async throws(RESTError) {
        do {
            _ = try await rest.send("POST", "\(Self.repository(pr))/actions/runs/\(runID)/cancel")
        } catch .status(409, _, _) {
            return
        }
    }

    struct File: Decodable {
        var filename: String
        var status: String
        var patch: String?
    }

    /// The PR's changed files with their patches, following pages up to GitHub's 3000-file limit.
    public func listFiles(_ pr: PullRequest) async throws(RESTError) -> [ChangedFile] {
        var files: [ChangedFile] = []
        for page in 1...30 {
            let path = "\(Self.repository(pr))/pulls/\(pr.number)/files?per_page=100&page=\(page)"
            let batch = try await rest.fetch([File].self, "GET", path)
            files += batch.map { ChangedFile(path: $0.filename, status: $0.status, patch: $0.patch) }
            if batch.count < 100 { break }
        }
        return files
    }
}

extension GitHubClient {
    struct PullState: Decodable {
        struct Head: Decodable { var sha: String }
        var head: Head
    }

    /// The PR's current head commit, as GitHub has it now.
    public func pullRequestHead(_ pr: PullRequest) async throws(RESTError) -> String {
        try await rest.fetch(PullState.self, "GET", "\(Self.repository(pr))/pulls/\(pr.number)").head.sha.lowercased()
    }

    struct Contents: Decodable {
        var type: String?
        var encoding: String?
        var content: String?
        var size: Int?
    }

    /// A file's text at the PR's head commit, from the contents API; nil when it is not a text
    /// file GitHub serves inline (a folder, over 1 MB, not UTF-8).
    public func contents(_ pr: PullRequest, path: String) async throws(RESTError) -> String? {
        let encoded = path.split(separator: "/").map { PathSegment.encode(String($0)) }.joined(separator: "/")
        let file = try await rest.fetch(
            Contents.self, "GET", "\(Self.repository(pr))/contents/\(encoded)?ref=\(PathSegment.encode(pr.headSHA))")
        guard file.type == "file", file.encoding == "base64", let content = file.content,
            let data = Data(base64Encoded: content.filter { !$0.isWhitespace })
        else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// `/repos/{owner}/{repo}` with both names percent-encoded, so no name can reach another path.
    static func repository(_ pr: PullRequest) -> String {
        "/repos/\(PathSegment.encode(pr.owner))/\(PathSegment.encode(pr.repo))"
    }
}

/// One segment of a REST path: everything but RFC 3986's unreserved characters is percent-encoded
/// (`/`, `?`, `#` and `..` among them cannot change the path).
public enum PathSegment {
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    public static func encode(_ segment: String) -> String {
        let encoded = segment.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
        // "." and ".." are unreserved but mean something in a path.
        switch encoded {
        case ".": return "%2E"
        case "..": return "%2E%2E"
        default: return encoded
        }
    }
}
