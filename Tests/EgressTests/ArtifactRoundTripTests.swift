import Egress
import Foundation
import Hashing
import Logging
import Simulators
import Testing
import Workflow

/// A run's results artifact read back through each CI's real paths: listed, the 302 to storage
/// followed without the token, unzipped and read. Bad artifacts leave the run to its steps.
struct ArtifactRoundTripTests {
    static let pr = PullRequest(
        owner: "acme", repo: "shop", number: 42, headSHA: "9f1c2ab47d3e8b6f0a5c4d2e1b7f8a9c0d3e4f5a", headRef: "x")
    static let files = [
        ChangedFile(
            path: "Sources/Cart.swift",
            patch: "@@ -0,0 +1,6 @@\n" + (1...6).map { "+let a\($0) = b == \($0)" }.joined(separator: "\n"))
    ]
    static let world = TestWorld(files: files)
    static let baseline = JobKey(tenant: "acme", workflow: "w1", job: .baseline, attempt: 1)

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    func withGitHub<T>(
        _ serving: ArtifactServing = ArtifactServing(), world: Bool = true,
        _ body: (GitHubSimulator, GitHubActionsService) async throws -> T
    ) async throws -> T {
        var options = GitHubSimulator.Options(
            token: "t0ken", owner: "acme", repo: "shop", pullNumber: 42, files: Self.files,
            webhookURL: "http://127.0.0.1:9/none", webhookSecret: "s", jobDuration: .milliseconds(10))
        options.world = world ? Self.world : nil as TestWorld?
        options.artifacts = serving
        let simulator = GitHubSimulator(options: options)
        return try await LoopbackServer.withRunning({ simulator.application(logger: Self.logger, onServerRunning: $0) })
        {
            port in
            let client = GitHubClient(apiURL: "http://127.0.0.1:\(port)", token: Secret("t0ken"))
            return try await body(
                simulator, GitHubActionsService(client: client, workflow: "tinybug-mutant.yml", ref: "main"))
        }
    }

    func withBuildkite<T>(
        _ serving: ArtifactServing = ArtifactServing(), _ body: (BuildkiteSimulator, BuildkiteService) async throws -> T
    ) async throws -> T {
        var options = BuildkiteSimulator.Options(
            token: "bk-token", organization: "globex", pipeline: "tinybug", jobDuration: .milliseconds(10))
        options.world = Self.world
        options.artifacts = serving
        let simulator = BuildkiteSimulator(options: options)
        return try await LoopbackServer.withRunning({ simulator.application(logger: Self.logger, onServerRunning: $0) })
        {
            port in
            let client = BuildkiteClient(
                apiURL: "http://127.0.0.1:\(port)", token: Secret("bk-token"), organization: "globex",
                pipeline: "tinybug")
            return try await body(simulator, BuildkiteService(client: client))
        }
    }

    /// Dispatches `job` and waits for its run to complete.
    func finished(_ service: any CIService, _ state: SimulatorState, _ job: JobKey, mutant: Mutant? = nil) async throws
        -> Int64?
    {
        let (runID, _) = try await service.dispatch(job, Self.pr, mutant: mutant, batch: nil, lookFirst: false)
        for _ in 0..<200 {
            if await state.runs.contains(where: { $0.id == runID && $0.status == "completed" }) { return runID }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the run did not finish")
        return runID
    }

    func expectWorldResults(_ results: RunResults) {
        #expect(results.tests?.failed == [TestWorld.brokenTest])
        #expect(results.tests?.passed.count == Self.world.tests.count - 1)
        let uncovered = (1...6).filter { Self.world.isUncovered("Sources/Cart.swift", line: $0) }
        #expect(results.coverage?.known["Sources/Cart.swift"] == Set(1...6))
        #expect(results.coverage?.covered["Sources/Cart.swift"] == Set(1...6).subtracting(uncovered))
    }

    @Test func `GitHub Actions: the artifact is listed, its zip fetched through the 302 without the token, and read`()
        async throws
    {
        try await withGitHub { simulator, service in
            let runID = try await finished(service, simulator.state, Self.baseline)
            let results = try await service.results(
                Self.baseline, Self.pr, runID: runID, readSteps: false, paths: ["Sources/Cart.swift"])
            expectWorldResults(results)
            #expect(await simulator.state.storageFetches == 1)
            #expect(await simulator.state.storageFetchesWithCredentials == 0)
            let asked = await simulator.state.requests
            #expect(asked.contains("GET /repos/acme/shop/actions/runs/\(runID ?? 0)/artifacts"))
            #expect(asked.contains("GET /repos/acme/shop/actions/artifacts/\(runID ?? 0)/zip"))
        }
    }

    @Test func `Buildkite: each artifact's download URL answers 302, fetched without the token, and read`() async throws
    {
        try await withBuildkite { simulator, service in
            let runID = try await finished(service, simulator.state, Self.baseline)
            let results = try await service.results(
                Self.baseline, Self.pr, runID: runID, readSteps: false, paths: ["Sources/Cart.swift"])
            expectWorldResults(results)
            #expect(await simulator.state.storageFetches == 2)
            #expect(await simulator.state.storageFetchesWithCredentials == 0)
        }
    }

    @Test func `a run without the artifact says so, and leaves the run to its steps`() async throws {
        try await withGitHub(world: false) { simulator, service in
            let runID = try await finished(service, simulator.state, Self.baseline)
            let results = try await service.results(Self.baseline, Self.pr, runID: runID, readSteps: false, paths: nil)
            #expect(results.tests == nil)
            #expect(results.note?.contains("no tinybug-results artifact") == true)
        }
    }

    static func bomb() throws -> Data {
        try ZipArchive.zip(["junit/bomb.xml": Data(repeating: UInt8(ascii: " "), count: 60 * 1024 * 1024)])
    }

    static let entities = Data(
        "<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY a \"aaaa\">]><testsuite><testcase name=\"&a;\"/></testsuite>".utf8
    )

    enum Bad: String, CaseIterable, Sendable {
        case notAZip, zipBomb, entities

        func bytes() throws -> Data {
            switch self {
            case .notAZip: Data("<html>hello</html>".utf8)
            case .zipBomb: try ArtifactRoundTripTests.bomb()
            case .entities: try ZipArchive.zip(["junit/e.xml": ArtifactRoundTripTests.entities])
            }
        }
    }

    @Test(arguments: Bad.allCases)
    func `a bad artifact gives the run its step-level outcome with the reason`(bad: Bad) async throws {
        var serving = ArtifactServing()
        let bytes = try bad.bytes()
        serving.replace = { _, _ in bytes }
        try await withGitHub(serving) { simulator, service in
            let runID = try await finished(service, simulator.state, Self.baseline)
            let results = try await service.results(Self.baseline, Self.pr, runID: runID, readSteps: false, paths: nil)
            #expect(results.tests == nil)
            #expect(results.note?.isEmpty == false)
        }
    }

    @Test func `an artifact that declares 2 GiB is not fetched`() async throws {
        var serving = ArtifactServing()
        serving.declaredSize = { _ in 2 * 1024 * 1024 * 1024 }
        try await withGitHub(serving) { simulator, service in
            let runID = try await finished(service, simulator.state, Self.baseline)
            let results = try await service.results(Self.baseline, Self.pr, runID: runID, readSteps: false, paths: nil)
            #expect(results.tests == nil)
            #expect(results.note?.contains("over the") == true)
            #expect(await simulator.state.storageFetches == 0)
        }
        try await withBuildkite(serving) { simulator, service in
            let runID = try await finished(service, simulator.state, Self.baseline)
            let results = try await service.results(Self.baseline, Self.pr, runID: runID, readSteps: false, paths: nil)
            #expect(results.tests == nil)
            #expect(await simulator.state.storageFetches == 0)
        }
    }

    @Test func `a mutant's failed run names the tests that failed`() async throws {
        // A mutant the world kills: the first line whose hash falls in the killed band.
        let candidates = MutantPlanner.candidates(in: Self.files)
        let mutant = try #require(
            candidates.first { candidate in
                Self.world.run(
                    job: "acme/w1/m0/2",
                    mutant: .init(
                        path: candidate.path, line: candidate.line, original: "", replacement: "",
                        operator: candidate.operator.rawValue)
                ).failed
            })
        try await withBuildkite { simulator, service in
            let job = JobKey(tenant: "acme", workflow: "w1", job: .mutant(mutant.id), attempt: 2)
            let runID = try await finished(service, simulator.state, job, mutant: mutant)
            let results = try await service.results(job, Self.pr, runID: runID, readSteps: true, paths: nil)
            #expect(results.applied)
            #expect(results.tests?.failed.contains(TestWorld.brokenTest) == true)
            #expect(results.coverage == nil)
        }
    }
}
