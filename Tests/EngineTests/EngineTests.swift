import Engine
import Foundation
import Logging
import Synchronization
import Testing
import Workflow

/// Answers each effect the way GitHub would, and counts what it was asked to do.
final class ScriptedExecutor: EffectExecutor {
    typealias State = Run
    let calls = Mutex<[String]>([])
    let retryKeys: Set<String>
    /// Dispatches answered with "no slot" the first time they are asked for.
    let refusedOnce: Mutex<Set<String>>

    init(retrying retryKeys: Set<String> = [], refusingOnce: Set<String> = []) {
        self.retryKeys = retryKeys
        refusedOnce = Mutex(refusingOnce)
    }

    func execute(_ effect: Workflow.Effect, tenant: String, workflow: String, lease: EffectLease) async -> EffectResult<
        Workflow.Event
    > {
        calls.withLock { $0.append(effect.key) }
        if retryKeys.contains(effect.key) { return .retry(afterSeconds: 30, reason: "HTTP 503") }
        switch effect {
        case .createCheckRun: return .completed(.checkRunCreated(id: 5))
        case .listFiles: return .completed(.filesListed([mutableFile(count: 3)]))
        case .dispatch(let job, _, _, _):
            if refusedOnce.withLock({ $0.remove(effect.key) != nil }) { return .completed(.queued(job, until: nil)) }
            return .completed(.dispatched(job, ciRunID: 100, url: nil))
        case .cancel(let job, _, _, _): return .completed(.cancelled(job))
        case .releaseSlot(let job, _): return .completed(.slotReleased(job))
        case .inspect(let job, _, _): return .completed(.inspected(job, testsFailed: true, reason: "the tests failed"))
        case .readResults(let job, _, _, _, _): return .completed(.resultsRead(job, RunResults()))
        case .poll(let job, _, _): return .completed(.polled(job, nil))
        case .completeCheckRun: return .completed(.reported)
        }
    }

    var count: Int { calls.withLock { $0.count } }
}

/// Answers like `ScriptedExecutor`, but holds the first run of one effect until `release()`.
final class HoldingExecutor: EffectExecutor {
    typealias State = Run
    let base = ScriptedExecutor()
    let held: String
    let runs = Mutex(0)
    let (gate, opener) = AsyncStream<Void>.makeStream()

    init(holding key: String) { held = key }

    func release() { opener.yield() }

    func execute(_ effect: Workflow.Effect, tenant: String, workflow: String, lease: EffectLease) async
        -> EffectResult<Workflow.Event>
    {
        if effect.key == held,
            runs.withLock({ count in
                count += 1
                return count
            }) == 1
        {
            for await _ in gate { break }
        }
        return await base.execute(effect, tenant: tenant, workflow: workflow, lease: lease)
    }
}

func mutableFile(count: Int) -> ChangedFile {
    ChangedFile(
        path: "a.swift",
        patch: "@@ -0,0 +1,\(count) @@\n" + (0..<count).map { "+let ok\($0) = a == \($0)" }.joined(separator: "\n"))
}

struct EngineFixture {
    let clock = ManualClock()
    let root = TemporaryFolder.make()
    let engine: Engine<Run>
    let pr = PullRequest(owner: "acme", repo: "shop", number: 1, headSHA: "abcdef1234567", headRef: "x")

    init() throws {
        engine = Engine<Run>(store: try FileStore(root: root), clock: clock, logger: Logger(label: "test"))
    }

    func start(
        _ id: String, settings: Settings = Settings(maxConcurrentJobs: 2, jobTimeoutSeconds: 600, baselineRuns: 1)
    ) async throws
        -> Applied<Run>?
    {
        try await engine.create(tenant: "acme", id: id, eventID: "delivery-\(id)") { now in
            Run.start(id: id, tenant: "acme", pullRequest: pr, settings: settings, now: now)
        }
    }

    func document(_ id: String) async throws -> Document<Run> {
        try #require(try await engine.load(tenant: "acme", id: id)).0
    }
}

struct EngineTests {
    @Test func `creating the same workflow twice creates it once`() async throws {
        let fixture = try EngineFixture()
        #expect(try await fixture.start("w1") != nil)
        #expect(try await fixture.start("w1") == nil)
        #expect(try await fixture.document("w1").history.count == 1)
    }

    @Test func `effects wait in the outbox and leave it when their results are applied`() async throws {
        let fixture = try EngineFixture()
        let created = try #require(try await fixture.start("w1"))
        guard case .applied(let document, let effects) = created else {
            Issue.record("not applied")
            return
        }
        #expect(document.outbox.count == 3)
        let executor = ScriptedExecutor()
        try await fixture.engine.carryOut(effects, tenant: "acme", id: "w1", executor: executor)
        let after = try await fixture.document("w1")
        #expect(after.outbox.isEmpty)
        #expect(after.state.checkRunID == 5)
        #expect(after.state.baseline.status == .running)
        #expect(executor.count == 3)
    }

    @Test func `an effect asked for again after its first was settled is settled by its own result`() async throws {
        let fixture = try EngineFixture()
        let started = try #require(try await fixture.start("w1"))
        let effects = try #require(started.newEffects)
        let dispatch = try #require(effects.first { if case .dispatch = $0.effect { true } else { false } })
        let executor = ScriptedExecutor(refusingOnce: [dispatch.key])
        try await fixture.engine.carryOut(effects, tenant: "acme", id: "w1", executor: executor)
        #expect(try await fixture.document("w1").state.baseline.status == .queued)
        let woken = try await fixture.engine.apply(
            tenant: "acme", id: "w1", [EventInput(id: "wake", event: .slotFreed)])
        guard case .applied(_, let again) = woken else {
            Issue.record("not woken")
            return
        }
        #expect(again.map(\.key) == [dispatch.key])
        try await fixture.engine.carryOut(again, tenant: "acme", id: "w1", executor: executor)
        let after = try await fixture.document("w1")
        #expect(after.outbox.isEmpty)
        #expect(after.state.baseline.status == .running)
    }

    @Test func `a redelivered event is applied once`() async throws {
        let fixture = try EngineFixture()
        _ = try await fixture.start("w1")
        let event = EventInput<Workflow.Event>(id: "d-1", event: .paused)
        guard case .applied = try await fixture.engine.apply(tenant: "acme", id: "w1", [event]) else {
            Issue.record("first not applied")
            return
        }
        guard case .duplicate = try await fixture.engine.apply(tenant: "acme", id: "w1", [event]) else {
            Issue.record("second applied")
            return
        }
        #expect(try await fixture.document("w1").history.count == 2)
    }

    @Test func `an event for a missing workflow is reported as not found`() async throws {
        let fixture = try EngineFixture()
        await #expect(throws: EngineError.notFound(tenant: "acme", workflow: "nope")) {
            try await fixture.engine.apply(tenant: "acme", id: "nope", [EventInput(id: "x", event: .tick)])
        }
    }

    @Test func `a tick touches only workflows whose deadline has passed`() async throws {
        let fixture = try EngineFixture()
        let executor = ScriptedExecutor()
        for (id, timeout) in [("quick", Int64(60)), ("slow", Int64(3600))] {
            let started = try #require(
                try await fixture.start(
                    id, settings: Settings(jobTimeoutSeconds: timeout, retryBaseSeconds: 0, baselineRuns: 1)))
            let effects = try #require(started.newEffects)
            try await fixture.engine.carryOut(effects, tenant: "acme", id: id, executor: executor)
        }
        let slowBefore = try await fixture.document("slow")
        fixture.clock.advance(seconds: 120)
        let summary = try await fixture.engine.tick(executor: executor)
        #expect(summary.ticked == 1)
        #expect(try await fixture.document("quick").state.baseline.attempt == 2)
        #expect(try await fixture.document("slow").state == slowBefore.state)
        let markers = try await fixture.engine.store.list(prefix: "timers/", startAfter: nil, limit: 100)
        #expect(Set(markers.compactMap { $0.timerParts?.workflow }) == ["quick", "slow"])
    }

    @Test func `effects left behind by a crash are run by a tick once their lease runs out`() async throws {
        let fixture = try EngineFixture()
        _ = try await fixture.start("w1")
        let executor = ScriptedExecutor()
        #expect(try await fixture.engine.tick(executor: executor).effects == 0)
        fixture.clock.advance(seconds: 61)
        let summary = try await fixture.engine.tick(executor: executor)
        #expect(summary.effects == 3)
        #expect(try await fixture.document("w1").outbox.isEmpty)
        #expect(Set(executor.calls.withLock { $0 }).count == 3)
    }

    @Test func `a tick that takes over an effect still running here waits for it instead of running it beside it`()
        async throws
    {
        let fixture = try EngineFixture()
        let engine = {
            var engine = fixture.engine
            engine.effectLeaseSeconds = 1
            return engine
        }()
        let created = try await engine.create(tenant: "acme", id: "w1", eventID: "d1") { now in
            Run.start(
                id: "w1", tenant: "acme", pullRequest: fixture.pr,
                settings: Settings(maxConcurrentJobs: 2, jobTimeoutSeconds: 600, baselineRuns: 1), now: now)
        }
        let dispatch = try #require(created?.newEffects?.first { $0.key.hasSuffix("/dispatch") })
        let executor = HoldingExecutor(holding: dispatch.key)
        async let first = engine.carryOut([dispatch], tenant: "acme", id: "w1", executor: executor)
        // Past three leases this process no longer shields the run from its own ticks, and the
        // lease itself has run out.
        try await Task.sleep(for: .milliseconds(3300))
        fixture.clock.advance(seconds: 2)
        async let tick = engine.tick(executor: executor)
        try await Task.sleep(for: .milliseconds(300))
        #expect(executor.base.calls.withLock { $0 }.filter { $0 == dispatch.key }.isEmpty)
        executor.release()
        _ = try await first
        _ = try await tick
        #expect(executor.base.calls.withLock { $0 }.filter { $0 == dispatch.key }.count == 1)
        #expect(try await fixture.document("w1").outbox.contains { $0.key == dispatch.key } == false)
    }

    @Test func `an effect that asks to retry stays in the outbox until its backoff has passed`() async throws {
        let fixture = try EngineFixture()
        let started = try #require(try await fixture.start("w1"))
        let effects = try #require(started.newEffects)
        let flaky = ScriptedExecutor(retrying: [effects[1].key])
        try await fixture.engine.carryOut(effects, tenant: "acme", id: "w1", executor: flaky)
        let waiting = try await fixture.document("w1").outbox
        #expect(waiting.map(\.key) == [effects[1].key])
        #expect(waiting.first?.attempts == 1)
        #expect(waiting.first?.lastError == "HTTP 503")
        fixture.clock.advance(seconds: 10)
        #expect(try await fixture.engine.tick(executor: ScriptedExecutor()).effects == 0)
        fixture.clock.advance(seconds: 21)
        let healthy = ScriptedExecutor()
        _ = try await fixture.engine.tick(executor: healthy)
        #expect(healthy.calls.withLock { $0 }.first == effects[1].key)
        #expect(try await fixture.document("w1").state.candidates?.count == 3)
    }

    @Test func `concurrent completions for one workflow are all recorded`() async throws {
        let fixture = try EngineFixture()
        let settings = Settings(maxMutants: 12, maxConcurrentJobs: 12, baselineRuns: 1)
        let started = try #require(try await fixture.start("w1", settings: settings))
        let effects = try #require(started.newEffects)
        let executor = ScriptedExecutor()
        try await fixture.engine.carryOut(effects, tenant: "acme", id: "w1", executor: executor)
        let baseline = JobKey(tenant: "acme", workflow: "w1", job: .baseline, attempt: 1)
        let applied = try await fixture.engine.apply(
            tenant: "acme", id: "w1",
            [
                EventInput(id: "b", event: .ciFinished(baseline, .passed, ciRunID: 1, url: nil)),
                EventInput(id: "r", event: .resultsRead(baseline, RunResults())),
            ])
        if case .applied(_, let dispatches) = applied {
            try await fixture.engine.carryOut(dispatches, tenant: "acme", id: "w1", executor: executor)
        }
        let engine = fixture.engine
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in 0..<3 {
                group.addTask {
                    let key = JobKey(tenant: "acme", workflow: "w1", job: .mutant(id), attempt: 1)
                    _ = try await engine.apply(
                        tenant: "acme", id: "w1",
                        [
                            EventInput(id: "c\(id)", event: .ciFinished(key, .failed, ciRunID: nil, url: nil)),
                            EventInput(id: "i\(id)", event: .inspected(key, testsFailed: true, reason: "")),
                        ])
                }
            }
            try await group.waitForAll()
        }
        let document = try await fixture.document("w1")
        #expect(document.state.mutants.allSatisfy { $0.status == .failed })
        #expect(document.state.phase == .reporting)
    }

    @Test func `history stays bounded and says how much was folded`() async throws {
        let fixture = try EngineFixture()
        _ = try await fixture.start("w1")
        let toggles = (0..<450).map {
            EventInput<Workflow.Event>(id: "t\($0)", event: $0 % 2 == 0 ? .paused : .resumed)
        }
        _ = try await fixture.engine.apply(tenant: "acme", id: "w1", toggles)
        let document = try await fixture.document("w1")
        #expect(document.history.count == Document<Run>.maxHistory)
        #expect(document.historyFolded == 451 - Document<Run>.maxHistory)
        #expect(document.appliedEvents.count <= Document<Run>.maxAppliedEvents)
    }

    @Test func `the stored document is readable JSON with a schema version and a history`() async throws {
        let fixture = try EngineFixture()
        _ = try await fixture.start("w1")
        let data = try #require(FileManager.default.contents(atPath: "\(fixture.root)/tenants/acme/workflows/w1.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 1)
        let history = try #require(object["history"] as? [[String: Any]])
        #expect(history.first?["event"] as? String == "workflow started")
        // Compact on disk, so coding it is cheap; `tinybug workflows show` prints it indented.
        #expect(!String(decoding: data, as: UTF8.self).contains("\n"))
        #expect(String(decoding: data, as: UTF8.self).contains(#""event":"workflow started""#))
    }

    @Test func `a corrupt document is reported, not replaced`() async throws {
        let fixture = try EngineFixture()
        let path = "\(fixture.root)/tenants/acme/workflows/w1.json"
        try FileManager.default.createDirectory(
            atPath: "\(fixture.root)/tenants/acme/workflows", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path, contents: Data("{not json".utf8)))
        await #expect(throws: EngineError.self) {
            try await fixture.engine.apply(tenant: "acme", id: "w1", [EventInput(id: "x", event: .tick)])
        }
        #expect(FileManager.default.contents(atPath: path) == Data("{not json".utf8))
    }

    @Test func `a tick goes on past a due workflow whose document does not decode, and keeps its marker`() async throws
    {
        let fixture = try EngineFixture()
        let executor = ScriptedExecutor()
        let started = try #require(
            try await fixture.start(
                "quick", settings: Settings(jobTimeoutSeconds: 60, retryBaseSeconds: 0, baselineRuns: 1)))
        try await fixture.engine.carryOut(
            try #require(started.newEffects), tenant: "acme", id: "quick", executor: executor)
        // A second workflow whose document was damaged on disk, with a due timer of its own.
        let bucket = UTC.bucket(fixture.clock.now())
        let broken = try StoreKey.timer(bucket: bucket, tenant: "acme", workflow: "broken")
        try await fixture.engine.store.put(broken, Data())
        try FileManager.default.createDirectory(
            atPath: "\(fixture.root)/tenants/acme/workflows", withIntermediateDirectories: true)
        #expect(
            FileManager.default.createFile(
                atPath: "\(fixture.root)/tenants/acme/workflows/broken.json", contents: Data("{not json".utf8)))
        fixture.clock.advance(seconds: 120)
        let summary = try await fixture.engine.tick(executor: executor)
        #expect(summary.skipped == 1)
        #expect(summary.ticked == 1)
        #expect(try await fixture.document("quick").state.baseline.attempt == 2)
        #expect(try await fixture.engine.store.read(broken) != nil)
    }
}

struct UTCTests {
    @Test(arguments: [
        (Int64(0), "197001010000", "1970-01-01T00:00:00.000Z"),
        (Int64(1_767_225_600_123), "202601010000", "2026-01-01T00:00:00.123Z"),
        (Int64(951_782_400_000), "200002290000", "2000-02-29T00:00:00.000Z"),
        (Int64(1_796_065_199_000), "202611301859", "2026-11-30T18:59:59.000Z"),
    ])
    func `instants format as UTC buckets and ISO 8601`(ms: Int64, bucket: String, iso: String) {
        #expect(UTC.bucket(Instant(milliseconds: ms)) == bucket)
        #expect(UTC.iso8601(Instant(milliseconds: ms)) == iso)
    }
}
