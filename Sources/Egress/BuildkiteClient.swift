import Foundation
import Hashing
import Workflow

/// Buildkite's REST API (v2), as Tinybug uses it: create, find, read and cancel builds.
public struct BuildkiteClient: Sendable {
    /// The reference pipeline's step key that applies the mutant (`infra/ci/buildkite`).
    public static let applyStepKey = "apply-mutant"
    let rest: RESTClient
    let organization: String
    let pipeline: String

    public init(apiURL: String, token: Secret, organization: String, pipeline: String) {
        rest = RESTClient(baseURL: apiURL, headers: ["Authorization": "Bearer \(token.value)", "User-Agent": "tinybug"])
        self.organization = organization
        self.pipeline = pipeline
    }

    var builds: String { "/v2/organizations/\(organization)/pipelines/\(pipeline)/builds" }

    public struct Build: Decodable, Sendable {
        public struct Job: Decodable, Sendable { public var step_key: String?; public var state: String? }
        public var id: String
        public var number: Int64
        public var state: String
        public var web_url: String?
        public var meta_data: [String: String]?
        public var jobs: [Job]?
    }

    struct CreateBody: Encodable, Sendable {
        var commit: String
        var branch: String
        var message: String
        var meta_data: [String: String]
        var env: [String: String]
    }

    /// Creates a build of the PR's head carrying the job key and mutant in `meta_data` (and `env`).
    public func createBuild(_ pr: PullRequest, job: JobKey, mutant: String) async throws(RESTError) -> Build {
        let body = CreateBody(
            commit: pr.headSHA, branch: pr.headRef, message: "tinybug \(job)",
            meta_data: ["tinybug_job": job.description, "tinybug_mutant": mutant],
            env: ["TINYBUG_JOB": job.description, "TINYBUG_MUTANT": mutant])
        return try await rest.fetch(Build.self, "POST", builds, json: body)
    }

    /// The build whose `meta_data` carries this job key, if any.
    public func findBuild(job: JobKey) async throws(RESTError) -> Build? {
        let key = job.description.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let found = try await rest.fetch([Build].self, "GET", "\(builds)?meta_data%5Btinybug_job%5D=\(key)")
        return found.first { $0.meta_data?["tinybug_job"] == job.description }
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

    /// Whether a build's finished state is final, and what it means.
    public static func isFinished(_ state: String) -> Bool {
        ["passed", "failed", "canceled", "skipped", "not_run", "blocked"].contains(state)
    }
}
