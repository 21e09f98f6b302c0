import Egress
import Engine
import Foundation
import Hashing
import Logging
import Simulators
import Testing
import Workflow

/// The GitHub client against the simulator, which checks paths, methods, auth and bodies as GitHub does.
struct GitHubClientTests {
    let pr = PullRequest(
        owner: "acme", repo: "shop", number: 42, headSHA: "9f1c2ab47d3e8b6f0a5c4d2e1b7f8a9c0d3e4f5a", headRef: "x")

    func withSimulator<T>(
        files: [ChangedFile] = [], legacy: Bool = false, _ body: (GitHubSimulator, String) async throws -> T
    ) async throws -> T {
        var options = GitHubSimulator.Options(
            token: "t0ken", owner: "acme", repo: "shop", pullNumber: 42, files: files,
            webhookURL: "http://127.0.0.1:9/none",
            webhookSecret: "s", jobDuration: .seconds(60))
        options.legacyDispatch = legacy
        let simulator = GitHubSimulator(options: options)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try await LoopbackServer.withRunning({ simulator.application(logger: logger, onServerRunning: $0) }) {
            port in
            try await body(simulator, "http://127.0.0.1:\(port)")
        }
    }

    @Test func `a dispatch asks for run details and gets the run id`() async throws {
        try await withSimulator { simulator, api in
            let client = GitHubClient(apiURL: api, token: Secret("t0ken"))
            let (runID, url) = try await client.dispatch(
                pr, workflow: "tinybug-mutant.yml", ref: "main", inputs: ["tinybug_job": "acme/w/base/1"])
            let run = try #require(await simulator.state.runs.first)
            #expect(runID == run.id)
            #expect(url?.hasSuffix("/actions/runs/\(run.id)") == true)
            #expect(run.title == "tinybug acme/w/base/1")
        }
    }

    @Test func `an older server that rejects run details still gets its dispatch, without an id`() async throws {
        try await withSimulator(legacy: true) { simulator, api in
            let client = GitHubClient(apiURL: api, token: Secret("t0ken"))
            let (runID, _) = try await client.dispatch(
                pr, workflow: "tinybug-mutant.yml", ref: "main", inputs: ["tinybug_job": "acme/w/base/1"])
            #expect(runID == nil)
            #expect(await simulator.state.runs.count == 1)
            let found = try await client.findRun(pr, workflow: "tinybug-mutant.yml", title: "tinybug acme/w/base/1")
            #expect(found?.id == (await simulator.state.runs.first?.id))
        }
    }

    @Test func `a wrong token is refused with 401`() async throws {
        try await withSimulator { _, api in
            let client = GitHubClient(apiURL: api, token: Secret("wrong"))
            await #expect(throws: RESTError.self) { try await client.listFiles(pr) }
        }
    }

    @Test func `the PR's files are read across pages`() async throws {
        let files = (0..<230).map {
            ChangedFile(path: "f\($0).swift", status: "added", patch: "@@ -0,0 +1 @@\n+let a = 1")
        }
        try await withSimulator(files: files) { _, api in
            let listed = try await GitHubClient(apiURL: api, token: Secret("t0ken")).listFiles(pr)
            #expect(listed.map(\.path) == files.map(\.path))
        }
    }

    @Test func `a report with many survivors is sent 50 annotations at a time and the check is found, not duplicated`()
        async throws
    {
        try await withSimulator { simulator, api in
            let client = GitHubClient(apiURL: api, token: Secret("t0ken"))
            let id = try await client.ensureCheckRun(pr, workflow: "w1")
            #expect(try await client.ensureCheckRun(pr, workflow: "w1") == id)
            let annotations = (1...120).map {
                Annotation(path: "a.swift", line: $0, title: "Mutant survived", message: "x")
            }
            let report = Report(
                conclusion: .failure, title: "Tinybug: 10%", summary: "s", annotations: annotations, killed: 1,
                survived: 120, errored: 0)
            try await client.completeCheckRun(pr, id: id, report: report)
            let check = try #require(await simulator.state.checkRuns.first)
            #expect(await simulator.state.checkRuns.count == 1)
            #expect(check.updates == 3)
            #expect(check.annotations.map(\.line) == Array(1...120))
            #expect(check.status == "completed" && check.conclusion == "failure")
        }
    }

    @Test func `cancelling a finished run counts as cancelled`() async throws {
        try await withSimulator { simulator, api in
            let client = GitHubClient(apiURL: api, token: Secret("t0ken"))
            let (runID, _) = try await client.dispatch(
                pr, workflow: "w.yml", ref: "main", inputs: ["tinybug_job": "acme/w/m0/1"])
            let id = try #require(runID)
            try await client.cancelRun(pr, runID: id)
            try await client.cancelRun(pr, runID: id)
            #expect(await simulator.state.runs.first?.conclusion == "cancelled")
        }
    }

    @Test func `a mutant travels as base64 JSON with the contract's fields`() throws {
        let mutant = Mutant(
            id: 3, path: "a.swift", line: 7, original: "a == b", replacement: "a != b", operator: .equality)
        let key = JobKey(tenant: "acme", workflow: "w", job: .mutant(3), attempt: 1)
        let inputs = DispatchInputs.inputs(job: key, pr: pr, mutant: mutant)
        #expect(inputs["tinybug_job"] == "acme/w/m3/1")
        let encoded = try #require(inputs["tinybug_mutant"])
        let decoded = try #require(GitHubSimulator.decodeMutant(encoded))
        #expect(
            decoded == .init(path: "a.swift", line: 7, original: "a == b", replacement: "a != b", operator: "equality"))
        #expect(DispatchInputs.inputs(job: key, pr: pr, mutant: nil)["tinybug_mutant"] == "")
        #expect(inputs.count <= 25)
    }

    @Test(arguments: [
        ("widgets/../../../orgs/x", "widgets%2F..%2F..%2F..%2Forgs%2Fx"), ("a?b#c", "a%3Fb%23c"), ("..", "%2E%2E"),
        (".", "%2E"), ("shop.js_v-2~", "shop.js_v-2~"), ("ü", "%C3%BC"),
    ])
    func `every path segment sent out is percent-encoded`(segment: String, encoded: String) {
        #expect(PathSegment.encode(segment) == encoded)
    }

    @Test func `a repository name cannot move a call to another path`() async throws {
        try await withSimulator { simulator, api in
            var escaping = pr
            escaping.repo = "shop/../../../orgs/x"
            _ = try? await GitHubClient(apiURL: api, token: Secret("t0ken")).listFiles(escaping)
            let requests = await simulator.state.requests
            #expect(requests.contains { $0.contains("/repos/acme/shop%2F..%2F..%2F..%2Forgs%2Fx/pulls/") })
            #expect(!requests.contains { $0.contains("/orgs/x") && !$0.contains("%2F") })
        }
    }
}
