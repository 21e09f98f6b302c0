import Engine
import Foundation
import Orchestration
import Simulators
import Testing
import Workflow

/// Several mutants per CI run on the simulators: the same per-mutant statuses as one run per
/// mutant, each mutant in the batches its document names, and far fewer CI runs.
struct BatchMeasurementTests {
    static func acme(perRun: Int) -> Tenant {
        Harness.acme(
            settings: Settings(
                maxMutants: 12, maxConcurrentJobs: 3, jobTimeoutSeconds: 600, retryBaseSeconds: 0,
                mutantsPerRun: perRun))
    }

    /// A whole measurement of the demo PR on the per-test world, with `perRun` mutants per CI run.
    static func measured(perRun: Int) async throws -> (Document<Run>, [SimulatedRun]) {
        try await Harness.run(tenants: [acme(perRun: perRun)], configure: { $0.world = TestWorld(files: $0.files) }) {
            harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(reply.body["workflow"] as? String)
            let document = try await harness.ticked(workflow)
            let counts = await harness.simulator.state.dispatchCounts()
            #expect(counts.values.allSatisfy { $0 == 1 }, "\(counts)")
            // The page's timeline has a row per batch with a mark per mutant, and none per mutant.
            let (status, page, _) = try await PagesTests.get(
                harness, "/ui/tenants/acme/workflows/\(workflow)",
                authorization: "Basic " + Data("u:\(Harness.apiToken)".utf8).base64EncodedString())
            #expect(status == 200)
            for batch in document.state.batches ?? [] {
                #expect(page.contains("<g class=\"job\" data-job=\"\(batch.name)\""))
                for id in batch.members ?? [] { #expect(page.contains("class=\"mark\" data-mutant=\"m\(id)\"")) }
            }
            if perRun > 1 { #expect(!page.contains("<g class=\"job\" data-job=\"m0\"")) }
            return (document, await harness.simulator.state.runs)
        }
    }

    /// What a mutant's status says, the note aside: a recheck in a batch runs as the batch's first
    /// attempt, where the world's flaky test may fail again.
    static func verdicts(_ run: Run) -> [String] {
        run.mutants.map { "\($0.mutantStatus.rawValue) \($0.result?.killedBy ?? [])" }
    }

    @Test func `five mutants per run give each mutant the status one run per mutant gives it`() async throws {
        let (single, singleRuns) = try await Self.measured(perRun: 1)
        let (batched, batchRuns) = try await Self.measured(perRun: 5)
        #expect(single.state.status == .completed && batched.state.status == .completed)
        #expect(Self.verdicts(single.state) == Self.verdicts(batched.state))
        #expect(batched.state.statuses.contains(.killed) && batched.state.statuses.contains(.survived))
        #expect(batchRuns.count < singleRuns.count)
        let batches = try #require(batched.state.batches)
        // Each batch run at the CI tested exactly the mutants its document names, at most five.
        for batch in batches {
            let key = JobKey(tenant: "acme", workflow: batched.state.id, job: batch.name, attempt: 1)
            let run = try #require(batchRuns.first { $0.inputs[CIContract.Input.job] == key.description })
            let members = try #require(BatchRuns.members(run.inputs)).compactMap(\.id)
            #expect(members == batch.members)
            #expect(members.count <= 5)
        }
        // A mutant runs in as many batches as it has attempts, and only a recheck runs it twice.
        for job in batched.state.mutants where job.status != .notCovered {
            guard case .mutant(let id) = job.name else { continue }
            let containing = batches.filter { $0.members?.contains(id) == true }
            #expect(containing.count == job.attempts.count)
            #expect(containing.count == (job.rechecked == true ? 2 : 1), "\(job.name): \(containing.map(\.name))")
        }
        #expect(!batchRuns.contains { $0.inputs[CIContract.Input.mutant]?.isEmpty == false })
    }

    @Test func `a Buildkite tenant measures with batches of three, each build created once`() async throws {
        var globex = CIRoundTripTests.globexOnApp()
        globex.settings.mutantsPerRun = 3
        try await Harness.run(
            tenants: [Harness.acme(), globex], configure: { $0.app = (77, CIRoundTripTests.appKey.publicKey, 43) },
            app: CIRoundTripTests.app
        ) { harness in
            let reply = try await harness.deliver(
                fixture("github/pull_request.opened.json"), event: "pull_request", path: "/webhooks/github/globex",
                secret: "globex-github")
            let workflow = try #require(reply.body["workflow"] as? String)
            let run = try await harness.finished(workflow, tenant: "globex").state
            #expect(run.status == .completed)
            let builds = await harness.buildkite.state.dispatchCounts()
            #expect(builds.values.allSatisfy { $0 == 1 })
            // Two baseline runs and six mutants in batches of three.
            #expect(builds.count == 4)
            for (mutant, job) in zip(run.plan ?? [], run.mutants) {
                let input = GitHubSimulator.MutantInput(
                    path: mutant.path, line: mutant.line, original: mutant.original,
                    replacement: mutant.replacement, operator: mutant.operator.rawValue)
                let expected: MutantStatus =
                    BuildkiteSimulator.defaultOutcome(job: "", mutant: input) == "failed" ? .killed : .survived
                #expect(job.mutantStatus == expected, "\(job.name)")
            }
        }
    }
}
