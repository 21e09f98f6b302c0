import Engine
import Foundation
import Simulators
import Testing
import Workflow

/// A whole measurement on the simulators' per-test world: the baseline runs twice and learns the
/// flaky and the broken test, uncovered lines cost no CI run, kills name their tests, and the
/// report route answers Stryker's schema.
struct PerTestMeasurementTests {
    static func measured<T>(_ body: (Harness, Document<Run>) async throws -> T) async throws -> T {
        try await Harness.run(configure: { $0.world = TestWorld(files: $0.files) }) { harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(reply.body["workflow"] as? String)
            let document = try await harness.ticked(workflow)
            return try await body(harness, document)
        }
    }

    @Test func `the check run names killing tests, the unstable and excluded tests, and uncovered lines`() async throws
    {
        try await Self.measured { harness, document in
            let run = document.state
            #expect(run.status == .completed)
            #expect(run.baselines.count == 2)
            #expect(run.baselineTests?.flaky == [TestWorld.flakyTest])
            #expect(run.baselineTests?.excluded == [TestWorld.brokenTest])
            let statuses = run.statuses
            #expect(statuses.contains(.killed) && statuses.contains(.survived) && statuses.contains(.noCoverage))
            for (mutant, job) in zip(run.plan ?? [], run.mutants) {
                switch job.mutantStatus {
                case .killed:
                    #expect(job.result?.killedBy.isEmpty == false)
                    #expect(job.result?.killedBy.contains(TestWorld.flakyTest) == false)
                    #expect(job.result?.killedBy.contains(TestWorld.brokenTest) == false)
                case .noCoverage:
                    #expect(harness.simulator.options.world?.isUncovered(mutant.path, line: mutant.line) == true)
                    #expect(job.attempts.isEmpty)
                default: break
                }
            }
            let dispatched = await harness.simulator.state.dispatchCounts()
            #expect(dispatched.values.allSatisfy { $0 == 1 })
            let uncovered = statuses.filter { $0 == .noCoverage }.count
            #expect(
                !dispatched.keys.contains { key in
                    run.mutants.filter { $0.status == .notCovered }.contains { key.contains("/\($0.name)/") }
                })
            let check = try #require(await harness.simulator.state.checkRuns.first)
            let summary = check.summary ?? ""
            #expect(summary.contains("`\(TestWorld.flakyTest)`") && summary.contains("**Unstable tests**"))
            #expect(summary.contains("`\(TestWorld.brokenTest)`") && summary.contains("**Excluded tests**"))
            #expect(summary.contains("Score on covered code"))
            let killers = run.mutants.compactMap { job -> String? in job.result?.killedBy.first }
            let killer = try #require(killers.first)
            #expect(summary.contains("`\(killer)`"))
            #expect(check.annotations.contains { $0.title.hasPrefix("Not covered by any test") } == (uncovered > 0))
            #expect(await harness.simulator.state.storageFetchesWithCredentials == 0)

            let (status, page, _) = try await PagesTests.get(
                harness, "/ui/tenants/acme/workflows/\(run.id)",
                authorization: "Basic " + Data("u:\(Harness.apiToken)".utf8).base64EncodedString())
            #expect(status == 200)
            for job in run.mutants { #expect(page.contains("data-status=\"\(job.mutantStatus.rawValue)\"")) }
            #expect(page.contains("<code>\(killer)</code>"))
            #expect(page.contains("id=\"unstable\"") && page.contains(TestWorld.flakyTest))
            #expect(page.contains("id=\"excluded\"") && page.contains(TestWorld.brokenTest))
        }
    }

    @Test func `the report route answers mutation-testing-report-schema JSON with each file's source`() async throws {
        try await Self.measured { harness, document in
            let reply = try await harness.request(
                "GET", "/api/v1/tenants/acme/workflows/\(document.state.id)/report",
                headers: ["Authorization": "Bearer \(Harness.apiToken)"])
            #expect(reply.status == 200)
            let report = reply.body
            #expect(report["schemaVersion"] as? String == "2")
            let thresholds = try #require(report["thresholds"] as? [String: Any])
            let high = try #require(thresholds["high"] as? Int)
            let low = try #require(thresholds["low"] as? Int)
            #expect((0...100).contains(low) && (low...100).contains(high))
            let files = try #require(report["files"] as? [String: [String: Any]])
            #expect(Set(files.keys) == Set((document.state.plan ?? []).map(\.path)))
            let testIDs = Set(
                (report["testFiles"] as? [String: [String: Any]] ?? [:]).values.flatMap {
                    ($0["tests"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                })
            let statuses = Set(MutantStatus.allCases.map(\.rawValue))
            var mutantCount = 0
            for (path, file) in files {
                #expect(file["language"] is String)
                let source = try #require(file["source"] as? String)
                let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
                for mutant in try #require(file["mutants"] as? [[String: Any]]) {
                    mutantCount += 1
                    #expect(mutant["id"] is String && mutant["mutatorName"] is String)
                    #expect(statuses.contains(mutant["status"] as? String ?? ""))
                    let location = try #require(mutant["location"] as? [String: [String: Int]])
                    let start = try #require(location["start"])
                    let end = try #require(location["end"])
                    #expect((start["line"] ?? 0) >= 1 && (start["column"] ?? 0) >= 1)
                    #expect((end["line"] ?? 0) >= (start["line"] ?? 0) && (end["column"] ?? 0) > (start["column"] ?? 0))
                    let line = (start["line"] ?? 1) - 1
                    #expect(lines.indices.contains(line), "\(path) has line \(line + 1)")
                    for test in mutant["killedBy"] as? [String] ?? [] { #expect(testIDs.contains(test)) }
                }
            }
            #expect(mutantCount == document.state.mutants.count)
            // The sources were fetched once and kept: a second read asks GitHub for nothing.
            let asked = await harness.simulator.state.requests.filter { $0.contains("/contents/") }.count
            #expect(asked == files.count)
            _ = try await harness.request(
                "GET", "/api/v1/tenants/acme/workflows/\(document.state.id)/report",
                headers: ["Authorization": "Bearer \(Harness.apiToken)"])
            #expect(await harness.simulator.state.requests.filter { $0.contains("/contents/") }.count == asked)
        }
    }

    @Test func `a mutant that does not parse is a CompileError, out of the score, end to end`() async throws {
        // The simulated CI's apply step fails for every mutant, as apply-mutant.py does when the
        // mutated file would not parse.
        let outcome: @Sendable (String, GitHubSimulator.MutantInput?) -> String? = { job, mutant in
            mutant == nil ? "success" : "apply-failed"
        }
        try await Harness.run(outcome: outcome, configure: { $0.world = TestWorld(files: $0.files) }) { harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(reply.body["workflow"] as? String)
            let document = try await harness.ticked(workflow)
            let run = document.state
            let dispatched = run.mutants.filter { $0.status != .notCovered }
            #expect(!dispatched.isEmpty)
            for job in dispatched {
                #expect(job.mutantStatus == .compileError)
                #expect(job.attempts.count == 1)
            }
            let check = try #require(await harness.simulator.state.checkRuns.first)
            #expect(
                check.summary?.contains("| CompileError (did not apply or build; not counted) | \(dispatched.count) |")
                    == true)
            #expect(run.report?.errored == dispatched.count)
            #expect(run.report?.killed == 0)
        }
    }
}

/// A hunk whose start the patch cannot tell: the file list fetches the file's text, and no
/// mutant lands in the docstring the hunk starts inside.
struct UnclearHunkTests {
    @Test func `a hunk that starts inside a docstring is planned from the file's text`() async throws {
        let head = [
            "def ready(a, b):", "    \"\"\"Whether a or b is set.", "", "    true when a == b,", "    false otherwise.",
            "    \"\"\"", "    return a == b", "",
        ]
        // The hunk starts at line 4, inside the docstring opened on line 2.
        let patch = "@@ -4,3 +4,5 @@\n+    true when a == b,\n+    false otherwise.\n     \"\"\"\n+    return a == b\n "
        try await Harness.run(configure: { options in
            options.files = [ChangedFile(path: "pkg/ready.py", patch: patch)]
            options.sources = ["pkg/ready.py": head.joined(separator: "\n")]
        }) { harness in
            let reply = try await harness.deliver(fixture("github/pull_request.opened.json"), event: "pull_request")
            let workflow = try #require(reply.body["workflow"] as? String)
            let document = try await harness.ticked(workflow)
            #expect(document.state.plan?.map(\.line) == [7])
            let asked = await harness.simulator.state.requests.filter { $0.contains("/contents/pkg/ready.py") }
            #expect(asked.count == 1)
        }
    }
}
