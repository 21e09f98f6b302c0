import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Workflow

/// What a run uploaded, and how the simulator serves it: the API answers 302 to a storage path
/// that takes no credentials, and refuses any that come (as a storage host does).
public struct ArtifactServing: Sendable {
    /// The bytes served in place of a run's artifact (GitHub: its zip; Buildkite: each file), by
    /// job key: for bad artifacts.
    public var replace: @Sendable (_ job: String, _ bytes: Data) -> Data = { $1 }
    /// The size the listing declares, when not the real one.
    public var declaredSize: @Sendable (_ job: String) -> Int64? = { _ in nil }

    public init() {}
}

extension SimulatorState {
    func setArtifact(_ run: Int64, _ files: [String: Data]) { artifacts[run] = files }

    func countStorageFetch(authorized: Bool) {
        storageFetches += 1
        if authorized { storageFetchesWithCredentials += 1 }
    }
}

enum StorageRoutes {
    /// `GET /storage/...`: the bytes behind a short-lived URL. A request that carries credentials
    /// is refused, as a storage host refuses a second way of authenticating.
    static func add(
        _ router: Router<BasicRequestContext>, state: SimulatorState, bytes: @escaping @Sendable (String) async -> Data?
    ) {
        router.get("/storage/{name}") { request, context in
            let authorized = request.headers[.authorization] != nil
            await state.countStorageFetch(authorized: authorized)
            if authorized {
                return GitHubSimulator.json(
                    ["message": "Server failed to authenticate the request: only one way is allowed"],
                    status: .forbidden)
            }
            guard let data = await bytes(context.parameters.get("name") ?? "") else {
                return GitHubSimulator.json(["message": "The specified blob does not exist."], status: .notFound)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/zip"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// A 302 to the storage path, on the host the request came to.
    static func redirect(_ request: Request, to name: String) -> Response {
        let host = request.head.authority ?? "127.0.0.1"
        return Response(status: .found, headers: [.location: "http://\(host)/storage/\(name)?se=60&sig=simulated"])
    }
}

extension GitHubSimulator {
    struct ArtifactJSON: Encodable {
        var id: Int64
        var name: String
        var size_in_bytes: Int64
        var archive_download_url: String
        var expired = false
    }
    struct ArtifactList: Encodable {
        var total_count: Int
        var artifacts: [ArtifactJSON]
    }

    /// The zip served for a run's artifact (after `ArtifactServing.replace`).
    func zip(_ run: SimulatedRun) async -> Data? {
        guard let files = await state.artifacts[run.id], let zip = try? ZipArchive.zip(files) else { return nil }
        return options.artifacts.replace(run.inputs[CIContract.Input.job] ?? "", zip)
    }

    func addStorage(_ router: Router<BasicRequestContext>) {
        StorageRoutes.add(router, state: state) { name in
            guard name.hasSuffix(".zip"), let id = Int64(name.dropLast(4)), let run = await state.run(id) else {
                return nil
            }
            return await zip(run)
        }
    }

    func addArtifacts(_ router: Router<BasicRequestContext>) {
        router.get("/repos/{owner}/{repo}/actions/runs/{id}/artifacts") { request, context in
            guard let id = context.parameters.get("id", as: Int64.self), let run = await state.run(id) else {
                return Self.json(["message": "Not Found"], status: .notFound)
            }
            let name = request.uri.queryParameters.get("name")
            var listed: [ArtifactJSON] = []
            if let zip = await zip(run), name == nil || name == CIContract.Results.artifact {
                let job = run.inputs[CIContract.Input.job] ?? ""
                listed.append(
                    ArtifactJSON(
                        id: id, name: CIContract.Results.artifact,
                        size_in_bytes: options.artifacts.declaredSize(job) ?? Int64(zip.count),
                        archive_download_url: "/repos/\(options.owner)/\(options.repo)/actions/artifacts/\(id)/zip"))
            }
            return Self.json(ArtifactList(total_count: listed.count, artifacts: listed))
        }
        router.get("/repos/{owner}/{repo}/actions/artifacts/{id}/zip") { request, context in
            guard let id = context.parameters.get("id", as: Int64.self), let run = await state.run(id),
                await state.artifacts[run.id] != nil
            else {
                return Self.json(["message": "Not Found"], status: .notFound)
            }
            return StorageRoutes.redirect(request, to: "\(id).zip")
        }
    }
}

extension BuildkiteSimulator {
    struct ArtifactJSON: Encodable {
        var id: String
        var job_id: String
        var path: String
        var filename: String
        var file_size: Int64
        var state = "finished"
        var download_url: String
    }

    /// A build's files under `tinybug-results/`, in path order.
    func artifactFiles(_ run: SimulatedRun) async -> [(path: String, data: Data)] {
        let files = await state.artifacts[run.id] ?? [:]
        let job = run.inputs[CIContract.Input.job] ?? ""
        return files.keys.sorted().compactMap { path in
            files[path].map { (CIContract.Results.artifact + "/" + path, options.artifacts.replace(job, $0)) }
        }
    }

    func addStorage(_ router: Router<BasicRequestContext>) {
        StorageRoutes.add(router, state: state) { name in
            let parts = name.split(separator: "-")
            guard parts.count == 2, let number = Int64(parts[0]), let index = Int(parts[1]),
                let run = await state.run(number)
            else { return nil }
            let files = await artifactFiles(run)
            return files.indices.contains(index) ? files[index].data : nil
        }
    }

    func addArtifacts(_ router: Router<BasicRequestContext>) {
        let build = "/v2/organizations/{org}/pipelines/{pipeline}/builds/{number}"
        router.get(RouterPath(build + "/artifacts")) { request, context in
            guard let number = context.parameters.get("number", as: Int64.self), let run = await state.run(number)
            else {
                return GitHubSimulator.json(["message": "No build found"], status: .notFound)
            }
            let host = request.head.authority ?? "127.0.0.1"
            let base = "http://\(host)/v2/organizations/\(options.organization)/pipelines/\(options.pipeline)"
            let job = run.inputs[CIContract.Input.job] ?? ""
            let listed = await artifactFiles(run).enumerated().map { index, file in
                ArtifactJSON(
                    id: "\(number)-\(index)", job_id: "job-\(number)-2", path: file.path,
                    filename: String(file.path.split(separator: "/").last ?? ""),
                    file_size: options.artifacts.declaredSize(job) ?? Int64(file.data.count),
                    download_url: "\(base)/builds/\(number)/jobs/job-\(number)-2/artifacts/\(number)-\(index)/download")
            }
            return GitHubSimulator.json(listed)
        }
        router.get(RouterPath(build + "/jobs/{job}/artifacts/{id}/download")) { request, context in
            let id = context.parameters.get("id") ?? ""
            return StorageRoutes.redirect(request, to: id)
        }
    }
}
