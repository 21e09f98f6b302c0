import Foundation
import Hashing
import Workflow

/// Buildkite's REST API (v2), as Tinybug uses it: create, find, read and cancel builds.
public struct BuildkiteClient: Sendable {
    let rest: RESTClient
    let organization: String
    let pipeline: String

    public init(apiURL: String, token: Secret, organization: String, pipeline: String) {
        self.init(
            rest: RESTClient(baseURL: apiURL, headers: Self.headers(token)), organization: organization,
            pipeline: pipeline)
    }

    /// A client over a shared connection pool (`RESTClientPool`).
    public init(rest: RESTClient, organization: String, pipeline: String) {
        self.rest = rest
        self.organization = organization
        self.pipeline = pipeline
    }

    /// What every call to Buildkite sends, with `token` as the bearer.
    public static func headers(_ token: Secret) -> [String: String] {
        ["Authorization": "Bearer \(token.value)", "User-Agent": "tinybug"]
    }

    var builds: String {
        "/v2/organizations/\(PathSegment.encode(organization))/pipelines/\(PathSegment.encode(pipeline))/builds"
    }

    public struct Build: Decodable, Sendable {
        public struct Job: Decodable, Sendable {
            public var step_key: String?
            public var state: String?
        }
        public var id: String
        public var number: Int64
        public var state: String
        public var web_url: String?
        public var meta_data: [String: String]?
        public var jobs: [Job]?

        /// The step that applies the mutant failed: the tests never ran on it.
        var applyFailed: Bool {
            (jobs ?? []).contains { $0.step_key == CIProvider.buildkite.applyStep && $0.state == "failed" }
        }
    }

    struct CreateBody: Encodable, Sendable {
        var commit: String
        var branch: String
        var message: String
        var meta_data: [String: String]
        var env: [String: String]
    }

    /// Creates the job's build: the dispatch inputs (the commit aside) as `meta_data`, and as
    /// environment variables named in capitals (`TINYBUG_JOB`, `TINYBUG_MUTANT`…).
    public func createBuild(_ pr: PullRequest, job: JobKey, inputs: [String: String]) async throws(RESTError) -> Build {
        var metaData = inputs
        metaData[CIContract.Input.sha] = nil
        let body = CreateBody(
            commit: pr.headSHA, branch: pr.headRef, message: CIContract.title(job), meta_data: metaData,
            env: Dictionary(uniqueKeysWithValues: metaData.map { ($0.key.uppercased(), $0.value) }))
        return try await rest.fetch(Build.self, "POST", builds, json: body)
    }

    /// The build whose `meta_data` carries this job key, if any.
    public func findBuild(job: JobKey) async throws(RESTError) -> Build? {
        let key = job.description.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let found = try await rest.fetch([Build].self, "GET", "\(builds)?meta_data%5B\(CIContract.Input.job)%5D=\(key)")
        return found.first { $0.meta_data?[CIContract.Input.job] == job.description }
    }

    public func build(number: Int64) async throws(RESTError) -> Build {
        try await rest.fetch(Build.self, "GET", "\(builds)/\(number)")
    }

    /// Cancels by build number; a build that already finished (422) counts as cancelled.
    public func cancel(number: Int64) async throws(RESTError) {
        do {
            _ = try await rest.send("PUT", "\(builds)/\(number)/cancel")
        } catch .status(422, _, _) {
            return
        }
    }
}

/// Jobs as Buildkite builds, told apart by their `meta_data` job key. Build numbers serve as run ids.
public struct BuildkiteService: CIService {
    let client: BuildkiteClient

    public init(client: BuildkiteClient) { self.client = client }

    func build(_ job: JobKey, _ number: Int64?) async throws(RESTError) -> BuildkiteClient.Build? {
        if let number { return try await client.build(number: number) }
        return try await client.findBuild(job: job)
    }

    public func dispatch(_ job: JobKey, _ pr: PullRequest, mutant: Mutant?, batch: [Mutant]?, lookFirst: Bool)
        async throws(RESTError) -> (Int64?, String?)
    {
        if lookFirst, let existing = try await client.findBuild(job: job) { return (existing.number, existing.web_url) }
        let inputs = DispatchInputs.inputs(job: job, pr: pr, mutant: mutant, batch: batch)
        let build = try await client.createBuild(pr, job: job, inputs: inputs)
        return (build.number, build.web_url)
    }

    public func cancel(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) {
        let number: Int64?
        if let runID { number = runID } else { number = try await client.findBuild(job: job)?.number }
        if let number { try await client.cancel(number: number) }
    }

    public func testsFailed(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> Bool {
        guard let build = try await build(job, runID) else { return true }
        return !build.applyFailed
    }

    public func results(_ job: JobKey, _ pr: PullRequest, runID: Int64?, readSteps: Bool, paths: [String]?)
        async throws(RESTError) -> RunResults
    {
        guard let build = try await build(job, runID) else { return RunResults(note: "no build carries \(job)") }
        if readSteps, build.applyFailed { return RunResults(applied: false, note: Run.didNotApply) }
        return try await client.results(number: build.number, paths: paths)
    }

    public func conclusion(_ job: JobKey, _ pr: PullRequest, runID: Int64?) async throws(RESTError) -> CIConclusion? {
        guard let build = try await build(job, runID), CIProvider.buildkite.isFinished(build.state) else { return nil }
        return CIProvider.buildkite.conclusion(build.state)
    }
}
