import Foundation
import Ingress
import Workflow

/// Reading a run's `tinybug-results` back through the CI's API. The API answers a 302 to a
/// short-lived storage URL, which is fetched without the CI's credentials: it is another host.
enum ArtifactDownload {
    /// The bytes behind an API download URL: asked with the API's headers, the redirect followed
    /// without them. Every answer is read up to `limit` bytes.
    static func fetch(_ url: String, apiHeaders: [String: String], limit: Int) async throws(RESTError) -> Data {
        let first = try await BoundedGet.get(url, headers: apiHeaders, limit: limit)
        switch first.status {
        case 200..<300:
            return first.body
        case 301, 302, 303, 307, 308:
            guard let location = first.location else { throw .decoding("a redirect without a Location") }
            let stored = try await BoundedGet.get(location, headers: [:], limit: limit)
            guard (200..<300).contains(stored.status) else {
                throw .status(
                    stored.status, body: String(decoding: stored.body.prefix(500), as: UTF8.self), retryAfter: nil)
            }
            return stored.body
        default:
            throw .status(first.status, body: String(decoding: first.body.prefix(500), as: UTF8.self), retryAfter: nil)
        }
    }

    /// An answer that says the artifact cannot be had (gone, refused, redirected again, too large,
    /// a bad URL): the run is then judged by its steps. Only a 5xx, a 429 or a lost connection is
    /// worth retrying.
    static func isFinal(_ error: RESTError) -> Bool {
        switch error {
        case .status(let code, _, _): code < 500 && code != 429
        case .tooLarge, .decoding: true
        case .transport(let reason): reason.hasPrefix("bad URL")
        }
    }
}

extension GitHubClient {
    struct ArtifactList: Decodable {
        struct Artifact: Decodable {
            var id: Int64
            var name: String
            var size_in_bytes: Int64?
            var expired: Bool?
        }
        var artifacts: [Artifact]
    }

    /// The run's results artifact: listed, then its zip fetched through the 302 and read.
    public func results(_ pr: PullRequest, runID: Int64, paths: [String]?) async throws(RESTError) -> RunResults {
        let name = CIContract.Results.artifact
        let list = try await rest.fetch(
            ArtifactList.self, "GET", "\(Self.repository(pr))/actions/runs/\(runID)/artifacts?name=\(name)")
        guard let artifact = list.artifacts.first(where: { $0.name == name }) else {
            return RunResults(note: "the run uploaded no \(name) artifact")
        }
        if artifact.expired == true { return RunResults(note: "the \(name) artifact has expired") }
        let limit = CIContract.Results.maxBytes
        if let size = artifact.size_in_bytes, size > limit {
            return RunResults(note: "the \(name) artifact declares \(size) bytes, over the \(limit)-byte bound")
        }
        let zip: Data
        do {
            zip = try await ArtifactDownload.fetch(
                rest.baseURL + "\(Self.repository(pr))/actions/artifacts/\(artifact.id)/zip", apiHeaders: rest.headers,
                limit: limit)
        } catch  where ArtifactDownload.isFinal(error) {
            return RunResults(note: "the \(name) artifact could not be fetched: \(error)")
        }
        do {
            return ResultsArtifact.read(try ResultsArtifact.unzip(zip, limit: limit), paths: paths)
        } catch {
            return RunResults(note: "the \(name) artifact could not be read: \(error)")
        }
    }
}

extension BuildkiteClient {
    struct Artifact: Decodable {
        var id: String
        var path: String
        var file_size: Int64?
        var state: String?
        var download_url: String?
    }

    /// The build's results: its artifacts under `tinybug-results/` listed, each fetched through
    /// its `download_url` (with the token, on the API's host only) and the 302 (without it).
    public func results(number: Int64, paths: [String]?) async throws(RESTError) -> RunResults {
        let name = CIContract.Results.artifact
        var listed: [Artifact] = []
        for page in 1...10 {
            let batch = try await rest.fetch(
                [Artifact].self, "GET", "\(builds)/\(number)/artifacts?per_page=100&page=\(page)")
            listed += batch
            if batch.count < 100 { break }
        }
        let wanted = listed.filter {
            $0.path.hasPrefix(name + "/") && ResultsArtifact.isRead($0.path) && ($0.state ?? "finished") == "finished"
        }
        guard !wanted.isEmpty else { return RunResults(note: "the build uploaded no \(name)/ artifacts") }
        let limit = CIContract.Results.maxBytes
        let declared = wanted.reduce(Int64(0)) { $0 + max(0, $1.file_size ?? 0) }
        if declared > limit {
            return RunResults(note: "the \(name)/ artifacts declare \(declared) bytes, over the \(limit)-byte bound")
        }
        var files: [String: Data] = [:]
        var total = 0
        for artifact in wanted {
            guard let url = artifact.download_url, url.hasPrefix(rest.baseURL + "/") else {
                return RunResults(note: "\(artifact.path) has no download URL on the API's host")
            }
            do {
                let data = try await ArtifactDownload.fetch(url, apiHeaders: rest.headers, limit: limit - total)
                total += data.count
                files[ResultsArtifact.artifactPath(artifact.path)] = data
            } catch  where ArtifactDownload.isFinal(error) {
                return RunResults(note: "\(artifact.path) could not be fetched: \(error)")
            }
        }
        return ResultsArtifact.read(files, paths: paths)
    }
}
