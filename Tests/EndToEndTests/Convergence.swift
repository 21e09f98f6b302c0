import Engine
import Foundation
import FoundationNetworking
import Hashing
import Simulators
import Testing
import Workflow

/// What must hold once faults stop and the timer has drained: the checks the chaos and
/// store-fault tests share.
enum Convergence {
    /// Delivers like GitHub, redelivering the same delivery until the gateway answers 2xx.
    static func deliver(_ body: Data, event: String, to url: String, secret: String, attempts: Int = 60) async throws
        -> [String: Any]
    {
        let delivery = UUID().uuidString
        for _ in 0..<attempts {
            var request = URLRequest(url: URL(string: url)!)
            request.httpMethod = "POST"
            request.httpBody = body
            request.timeoutInterval = 15
            request.setValue(event, forHTTPHeaderField: "X-GitHub-Event")
            request.setValue(delivery, forHTTPHeaderField: "X-GitHub-Delivery")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue(
                "sha256=" + Hex.encode(HMAC.sha256(key: Array(secret.utf8), body)),
                forHTTPHeaderField: "X-Hub-Signature-256")
            if let (data, response) = try? await URLSession.shared.data(for: request),
                let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            {
                return object
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the delivery was never accepted")
        throw CancellationError()
    }

    /// Waits until every workflow is done and its outbox empty, calling `tick` between looks.
    static func drained(
        _ engine: Engine<Run>, tenant: String, _ workflows: [String], timeout: Duration, tick: () async -> Void
    ) async throws {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            var open: [String] = []
            for id in workflows {
                let document = (try? await engine.load(tenant: tenant, id: id))?.0
                if document?.state.phase != .done || document?.outbox.isEmpty != true { open.append(id) }
            }
            if open.isEmpty { return }
            await tick()
            try await Task.sleep(for: .milliseconds(250))
        }
        for id in workflows {
            let document = (try? await engine.load(tenant: tenant, id: id))?.0
            guard document?.state.phase != .done || document?.outbox.isEmpty != true else { continue }
            let tail = (document?.history.suffix(5).map(\.event) ?? []).joined(separator: " | ")
            let outbox = (document?.outbox ?? []).map {
                "\($0.key) attempts \($0.attempts) not before \($0.notBefore) (\($0.lastError ?? "no error"))"
            }
            Issue.record(
                "\(id) did not finish: \(document?.state.status.rawValue ?? "missing"); \(tail); outbox \(outbox)"
            )
        }
        throw CancellationError()
    }

    /// Every workflow completed with the score the simulator's outcomes give, no attempt was
    /// dispatched twice at the CI, every result came from a real run, one check run
    /// per workflow, outboxes and tenant slots empty, and every stored document decodes.
    static func check(_ engine: Engine<Run>, tenant: String, _ workflows: [String], simulator: GitHubSimulator)
        async throws
    {
        let counts = await simulator.state.dispatchCounts()
        for (key, count) in counts { #expect(count == 1, "\(key) was dispatched \(count) times") }
        var attempts = 0
        for id in workflows {
            let document = try #require(try await engine.load(tenant: tenant, id: id)).0
            let run = document.state
            #expect(run.status == .completed, "\(id): \(run.status)")
            #expect(document.outbox.isEmpty, "\(id): \(document.outbox.map(\.key))")
            let expectedKilled = zip(run.plan ?? [], run.mutants).filter { mutant, _ in
                GitHubSimulator.defaultOutcome(
                    job: "",
                    mutant: .init(
                        path: mutant.path, line: mutant.line, original: mutant.original,
                        replacement: mutant.replacement,
                        operator: mutant.operator.rawValue)) == "failure"
            }.count
            let statuses = run.mutants.map { job in
                "\(job.name) \(job.result?.status.rawValue ?? job.status.rawValue) "
                    + job.attempts.map { "\($0.number): \($0.result?.description ?? "-")" }.joined(separator: ", ")
            }
            #expect(
                run.report?.killed == expectedKilled,
                "\(id): killed \(run.report?.killed ?? -1), expected \(expectedKilled); \(statuses)")
            #expect(run.report?.survived == run.mutants.count - expectedKilled, "\(id)")
            // With batches a mutant has no CI run of its own: its attempts are its batches'.
            for job in run.jobs where run.batches == nil || job.name.isBaseline || job.members != nil {
                attempts += job.attempts.count
                let runs = Set(counts.keys.filter { $0.hasPrefix("\(tenant)/\(id)/\(job.name)/") })
                let detail =
                    "attempts \(job.attempts.map { "\($0.number): \($0.result?.description ?? "-")" }), runs at the CI \(runs.sorted())"
                // An attempt can be given up before it reaches the CI (no slot in time); never the other way round.
                #expect(runs.count <= job.attempts.count, "\(id)/\(job.name): \(detail)")
                for attempt in job.attempts where attempt.result == .passed || attempt.result == .failed {
                    #expect(
                        runs.contains("\(tenant)/\(id)/\(job.name)/\(attempt.number)"),
                        "\(id)/\(job.name): a result without a run; \(detail)")
                }
            }
            let checks = await simulator.state.checkRuns.filter { $0.headSHA == run.pullRequest.headSHA }
            #expect(checks.count == 1 && checks.first?.status == "completed", "\(id): \(checks.count) check runs")
        }
        #expect(counts.count <= attempts)
        var held: [String] = []
        for key in try await engine.store.listAll(prefix: StoreKey.slotsPrefix(tenant: tenant)) {
            held.append(
                "\(key): \(try await engine.store.read(key).map { String(decoding: $0.data, as: UTF8.self) } ?? "gone")"
            )
        }
        if !held.isEmpty {
            for id in workflows {
                let lines = (try? await engine.load(tenant: tenant, id: id))??.0.history.map {
                    "\($0.event) -> \($0.effects)"
                }
                print("HISTORY \(id):\n" + (lines ?? []).joined(separator: "\n"))
            }
        }
        #expect(held.isEmpty, "slots still held: \(held)")
        for key in try await engine.store.listAll(prefix: "tenants/") {
            let stored = try #require(try await engine.store.read(key), "\(key) is listed but cannot be read")
            if key.workflowID != nil {
                #expect(throws: Never.self, "\(key)") {
                    try JSONDecoder().decode(Document<Run>.self, from: stored.data)
                }
            } else {
                #expect((try? JSONSerialization.jsonObject(with: stored.data)) != nil, "\(key) is not JSON")
            }
        }
    }
}
