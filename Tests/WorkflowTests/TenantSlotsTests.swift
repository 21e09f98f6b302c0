import Foundation
import Testing
import Workflow

struct TenantSlotsTests {
    let pace = DispatchPace(count: 50, seconds: 10)

    @Test func `with nobody waiting a job may try for a slot; one that found none waits and gives its pace place back`()
    {
        var slots = TenantSlots()
        #expect(slots.admit("a/w1/m0#1", workflow: "w1", repository: "acme/shop", pace: pace, now: t0) == .granted)
        #expect(slots.admit("a/w2/m0#1", workflow: "w2", repository: "acme/shop", pace: pace, now: t0) == .granted)
        #expect(slots.paces["acme/shop"]?.tenths.map(\.count) == [2])
        slots.wait("a/w2/m0#1", workflow: "w2", repository: "acme/shop", pace: pace, now: t0)
        #expect(slots.paces["acme/shop"]?.tenths.map(\.count) == [1])
        #expect(slots.waiting.map(\.workflow) == ["w2"])
        #expect(slots.admit("a/w3/m0#1", workflow: "w3", repository: "acme/shop", pace: pace, now: t0) == .queued)
        #expect(slots.waiting.map(\.workflow) == ["w2", "w3"])
    }

    @Test func `a freed slot is promised to the oldest waiter, and a newcomer cannot take it`() {
        var slots = TenantSlots()
        slots.wait("a/w2/m0#1", workflow: "w2", repository: "r", pace: pace, now: t0)
        slots.wait("a/w3/m0#1", workflow: "w3", repository: "r", pace: pace, now: t0)
        #expect(slots.promise(now: t0) == ["w2"])
        #expect(slots.admit("a/w4/m0#1", workflow: "w4", repository: "r", pace: pace, now: t0) == .queued)
        #expect(slots.admit("a/w3/m0#1", workflow: "w3", repository: "r", pace: pace, now: t0) == .queued)
        #expect(slots.admit("a/w2/m0#1", workflow: "w2", repository: "r", pace: pace, now: t0) == .granted)
        slots.took("a/w2/m0#1", workflow: "w2", now: t0)
        #expect(slots.waiting.map(\.workflow) == ["w3", "w4"])
    }

    @Test func `slots go round-robin: a workflow that got one waits behind the others for its next`() {
        var slots = TenantSlots()
        slots.wait("a/big/m1#1", workflow: "big", repository: "r", pace: pace, now: t0)
        slots.wait("a/big/m2#1", workflow: "big", repository: "r", pace: pace, now: t0)
        slots.wait("a/small/b#1", workflow: "small", repository: "r", pace: pace, now: t0)
        #expect(slots.promise(now: t0) == ["big"])
        #expect(slots.admit("a/big/m1#1", workflow: "big", repository: "r", pace: pace, now: t0) == .granted)
        slots.took("a/big/m1#1", workflow: "big", now: t0)
        #expect(slots.waiting.map(\.keys) == [["a/small/b#1"], ["a/big/m2#1"]])
        #expect(slots.promise(now: t0) == ["small"])
        #expect(slots.admit("a/big/m2#1", workflow: "big", repository: "r", pace: pace, now: t0) == .queued)
        #expect(slots.admit("a/small/b#1", workflow: "small", repository: "r", pace: pace, now: t0) == .granted)
    }

    @Test func `the first in line may try on its own, so a lost wake cannot stall the queue`() {
        var slots = TenantSlots()
        slots.wait("a/w1/m0#1", workflow: "w1", repository: "r", pace: pace, now: t0)
        slots.wait("a/w2/m0#1", workflow: "w2", repository: "r", pace: pace, now: t0)
        #expect(slots.admit("a/w2/m0#1", workflow: "w2", repository: "r", pace: pace, now: t0) == .queued)
        #expect(slots.admit("a/w1/m0#1", workflow: "w1", repository: "r", pace: pace, now: t0) == .granted)
    }

    @Test func `a workflow that withdraws passes its promise on`() {
        var slots = TenantSlots()
        slots.wait("a/w1/m0#1", workflow: "w1", repository: "r", pace: pace, now: t0)
        slots.wait("a/w2/m0#1", workflow: "w2", repository: "r", pace: pace, now: t0)
        #expect(slots.withdraw("w2", now: t0).isEmpty)
        #expect(slots.promise(now: t0) == ["w1"])
        slots.wait("a/w3/m0#1", workflow: "w3", repository: "r", pace: pace, now: t0)
        #expect(slots.withdraw("w1", now: t0) == ["w3"])
    }

    @Test func `a woken waiter that never comes loses its promise after the grace period`() {
        var slots = TenantSlots()
        slots.wait("a/w2/m0#1", workflow: "w2", repository: "r", pace: pace, now: t0)
        _ = slots.promise(now: t0)
        let late = t0.adding(seconds: TenantSlots.wakeGraceSeconds)
        #expect(slots.admit("a/w3/m0#1", workflow: "w3", repository: "r", pace: pace, now: late) == .granted)
        #expect(slots.waiting.isEmpty)
    }

    @Test func `a repository's pace holds dispatches until its oldest tenth leaves the window`() {
        var slots = TenantSlots()
        let pace = DispatchPace(count: 2, seconds: 10)
        #expect(slots.admit("a/w/m0#1", workflow: "w", repository: "r", pace: pace, now: t0) == .granted)
        #expect(
            slots.admit("a/w/m1#1", workflow: "w", repository: "r", pace: pace, now: t0.adding(seconds: 4)) == .granted)
        #expect(
            slots.admit("a/w/m2#1", workflow: "w", repository: "r", pace: pace, now: t0.adding(seconds: 5))
                == .paced(until: t0.adding(seconds: 11)))
        #expect(
            slots.admit("a/w/m3#1", workflow: "w", repository: "other", pace: pace, now: t0.adding(seconds: 5))
                == .granted)
        #expect(
            slots.admit("a/w/m2#1", workflow: "w", repository: "r", pace: pace, now: t0.adding(seconds: 11))
                == .granted)
    }

    @Test
    func `no window of the pace's length ever holds more dispatches than its count, and the document stays small`() {
        var slots = TenantSlots()
        let pace = DispatchPace(count: 7, seconds: 3)
        var generator = SplitMix(seed: 17)
        var now = t0
        var granted: [Instant] = []
        for index in 0..<5000 {
            now = Instant(milliseconds: now.milliseconds + Int64(generator.next() % 400))
            let key = "a/w/m\(index)#1"
            if slots.admit(key, workflow: "w", repository: "r", pace: pace, now: now) == .granted {
                granted.append(now)
            }
        }
        #expect(granted.count > 1000)
        for (index, start) in granted.enumerated() {
            let inWindow = granted[index...].prefix { $0.milliseconds(since: start) < 3000 }.count
            #expect(inWindow <= 7, "\(inWindow) dispatches in the 3 s from \(start)")
        }
        #expect((slots.paces["r"]?.tenths.count ?? 0) <= 11)
    }

    @Test func `a document of the first schema is read with its queue; the slots it held are not its any more`() throws
    {
        let old =
            #"{"schemaVersion":1,"held":{"a/w1/m0#1":{"workflow":"w1","since":1}},"recent":{"r":[1]},"waiting":[{"workflow":"w2","keys":["a/w2/m0#1"],"since":1}]}"#
        let slots = try JSONDecoder().decode(TenantSlots.self, from: Data(old.utf8))
        #expect(slots.waiting.map(\.workflow) == ["w2"])
        #expect(slots.schemaVersion == 2)
    }

    @Test func `a job's first slot to try comes from its key the same way in every process (FNV-1a)`() {
        #expect(SlotHolding.firstProbe("a", limit: 1000) == 996)
        #expect(SlotHolding.firstProbe("", limit: 7) == 2)
        #expect(SlotHolding.firstProbe("anything", limit: 1) == 0)
    }
}

/// A small deterministic generator, so the pace test is the same every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct RunSlotTests {
    @Test func `a run that reached the CI after its job went back to waiting gives its slot back when it ends`()
        throws
    {
        let (run, effects) = Run.mutating(2, settings: Settings(maxConcurrentJobs: 2, retryBaseSeconds: 10))
        let first = effects.dispatched[0]
        let (failed, _) = run.after([.dispatchFailed(first, reason: "502 from the CI")], at: t0.adding(seconds: 61))
        let (retried, again) = failed.after([.tick], at: t0.adding(seconds: 3600))
        let second = try #require(again.dispatched.first { $0.job == first.job })
        let (waiting, _) = retried.after([.queued(second, until: nil)], at: t0.adding(seconds: 3601))
        #expect(waiting.mutants[0].status == .queued)
        let (_, ended) = waiting.after(
            [.ciFinished(first, .failed, ciRunID: 7, url: nil)], at: t0.adding(seconds: 3700))
        #expect(ended.released == [first])
    }

    @Test func `a job the tenant has no slot for is queued without spending an attempt, and stops further asks`() {
        let (run, effects) = Run.mutating(4, settings: Settings(maxConcurrentJobs: 2))
        let first = effects.dispatched[0]
        let (queued, more) = run.after([.queued(first, until: nil)], at: t0.adding(seconds: 61))
        #expect(more.isEmpty)
        #expect(queued.mutants[0].status == .queued)
        #expect(queued.mutants[0].attempt == 0 && queued.mutants[0].attempts.isEmpty)
        #expect(queued.deadline == t0.adding(seconds: 61 + Run.slotRecheckSeconds))
        let (_, afterEnd) = queued.after(killed(effects.dispatched[1]), at: t0.adding(seconds: 62))
        #expect(afterEnd.dispatched.isEmpty)
    }

    @Test func `a freed slot wakes the queued job at once, and a recheck retries it when the wake is lost`() {
        let (run, effects) = Run.mutating(2, settings: Settings(maxConcurrentJobs: 2))
        let (queued, _) = run.after([.queued(effects.dispatched[0], until: nil)], at: t0.adding(seconds: 61))
        let (_, woken) = queued.after([.slotFreed], at: t0.adding(seconds: 62))
        #expect(woken.dispatched == [queued.key(.mutant(0))])
        let (_, rechecked) = queued.after([.tick], at: t0.adding(seconds: 61 + Run.slotRecheckSeconds))
        #expect(rechecked.dispatched == [queued.key(.mutant(0))])
    }

    @Test func `a slot freed while the refusal is on its way is not lost: the job asks again at once, once`() {
        let (run, effects) = Run.mutating(2, settings: Settings(maxConcurrentJobs: 2))
        let (woken, none) = run.after([.slotFreed], at: t0.adding(seconds: 61))
        #expect(none.isEmpty)
        let (retried, again) = woken.after([.queued(effects.dispatched[0], until: nil)], at: t0.adding(seconds: 62))
        #expect(again.dispatched == [run.key(.mutant(0))])
        let (_, waits) = retried.after([.queued(effects.dispatched[1], until: nil)], at: t0.adding(seconds: 62))
        #expect(waits.isEmpty)
    }

    @Test func `a job held back by the repository's pace is dispatched when the pace allows`() {
        let (run, effects) = Run.mutating(1, settings: Settings(maxConcurrentJobs: 2))
        let (paced, _) = run.after(
            [.queued(effects.dispatched[0], until: t0.adding(seconds: 65))], at: t0.adding(seconds: 61))
        #expect(paced.deadline == t0.adding(seconds: 65))
        #expect(paced.after([.tick], at: t0.adding(seconds: 64)).1.dispatched.isEmpty)
        #expect(paced.after([.tick], at: t0.adding(seconds: 65)).1.dispatched == [paced.key(.mutant(0))])
    }

    @Test func `every CI run that ends gives its slot back exactly once; a cancelled one through its cancel`() {
        let (run, effects) = Run.mutating(3, settings: Settings(maxConcurrentJobs: 3, maxAttempts: 2))
        let keys = effects.dispatched
        let (_, ended) = run.after(
            killed(keys[0]) + [
                .ciFinished(keys[1], .passed, ciRunID: 2, url: nil),
                .ciFinished(keys[1], .passed, ciRunID: 2, url: nil),
            ]
                + [.ciFinished(keys[2], .infrastructure("cancelled"), ciRunID: 3, url: nil)])
        #expect(ended.released == keys)
        let (_, closed) = run.after([.closed])
        #expect(closed.released.isEmpty)
        #expect(closed.cancelled == keys)
    }
}

extension Array where Element == Effect {
    var released: [JobKey] {
        compactMap { if case .releaseSlot(let key, _) = $0 { key } else { nil } }
    }
}

struct ObsoleteEffectTests {
    @Test func `a dispatch of an attempt given up is no longer wanted, so it never starts a run late`() {
        let settings = Settings(maxConcurrentJobs: 1, jobTimeoutSeconds: 60, maxAttempts: 3, retryBaseSeconds: 0)
        let (run, effects) = Run.mutating(1, settings: settings)
        let dispatch = effects.first { if case .dispatch = $0 { true } else { false } }!
        #expect(!run.isObsolete(dispatch))
        let late = t0.adding(seconds: 60 + 61)
        let (asked, _) = run.after([.tick], at: late)
        let (gaveUp, _) = asked.after([.polled(run.key(.mutant(0)), nil)], at: late)
        #expect(gaveUp.mutants[0].attempt == 2)
        #expect(gaveUp.isObsolete(dispatch))
        let (closed, _) = run.after([.closed])
        #expect(closed.isObsolete(dispatch))
    }
}
