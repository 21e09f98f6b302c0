import Testing
import Workflow

struct TenantSlotsTests {
    let pace = DispatchPace(count: 50, seconds: 10)

    @Test func `no more slots are granted than the limit, and asking again for a held slot counts it once`() {
        var slots = TenantSlots()
        #expect(
            slots.acquire("a/w1/m0#1", workflow: "w1", repository: "acme/shop", limit: 2, pace: pace, now: t0)
                == .granted)
        #expect(
            slots.acquire("a/w1/m0#1", workflow: "w1", repository: "acme/shop", limit: 2, pace: pace, now: t0)
                == .granted)
        #expect(
            slots.acquire("a/w2/m0#1", workflow: "w2", repository: "acme/shop", limit: 2, pace: pace, now: t0)
                == .granted)
        #expect(
            slots.acquire("a/w3/m0#1", workflow: "w3", repository: "acme/shop", limit: 2, pace: pace, now: t0)
                == .queued)
        #expect(slots.held.count == 2)
        #expect(slots.recent["acme/shop"]?.count == 2)
        #expect(slots.waiting.map(\.workflow) == ["w3"])
    }

    @Test func `a freed slot is promised to the oldest waiter, and a newcomer cannot take it`() {
        var slots = TenantSlots()
        _ = slots.acquire("a/w1/m0#1", workflow: "w1", repository: "r", limit: 1, pace: pace, now: t0)
        _ = slots.acquire("a/w2/m0#1", workflow: "w2", repository: "r", limit: 1, pace: pace, now: t0)
        _ = slots.acquire("a/w3/m0#1", workflow: "w3", repository: "r", limit: 1, pace: pace, now: t0)
        #expect(slots.release("a/w1/m0#1", limit: 1, now: t0) == ["w2"])
        #expect(slots.acquire("a/w4/m0#1", workflow: "w4", repository: "r", limit: 1, pace: pace, now: t0) == .queued)
        #expect(slots.acquire("a/w3/m0#1", workflow: "w3", repository: "r", limit: 1, pace: pace, now: t0) == .queued)
        #expect(slots.acquire("a/w2/m0#1", workflow: "w2", repository: "r", limit: 1, pace: pace, now: t0) == .granted)
        #expect(slots.waiting.map(\.workflow) == ["w3", "w4"])
    }

    @Test func `slots go round-robin: a workflow that got one waits behind the others for its next`() {
        var slots = TenantSlots()
        _ = slots.acquire("a/big/m0#1", workflow: "big", repository: "r", limit: 1, pace: pace, now: t0)
        _ = slots.acquire("a/big/m1#1", workflow: "big", repository: "r", limit: 1, pace: pace, now: t0)
        _ = slots.acquire("a/small/b#1", workflow: "small", repository: "r", limit: 1, pace: pace, now: t0)
        #expect(slots.release("a/big/m0#1", limit: 1, now: t0) == ["big"])
        #expect(
            slots.acquire("a/big/m1#1", workflow: "big", repository: "r", limit: 1, pace: pace, now: t0) == .granted)
        _ = slots.acquire("a/big/m2#1", workflow: "big", repository: "r", limit: 1, pace: pace, now: t0)
        #expect(slots.release("a/big/m1#1", limit: 1, now: t0) == ["small"])
        #expect(
            slots.acquire("a/small/b#1", workflow: "small", repository: "r", limit: 1, pace: pace, now: t0) == .granted)
    }

    @Test func `a workflow with jobs still refused keeps its place in line behind the others`() {
        var slots = TenantSlots()
        _ = slots.acquire("a/w1/m0#1", workflow: "w1", repository: "r", limit: 1, pace: pace, now: t0)
        _ = slots.acquire("a/w2/m0#1", workflow: "w2", repository: "r", limit: 1, pace: pace, now: t0)
        _ = slots.acquire("a/w2/m1#1", workflow: "w2", repository: "r", limit: 1, pace: pace, now: t0)
        _ = slots.acquire("a/w3/m0#1", workflow: "w3", repository: "r", limit: 1, pace: pace, now: t0)
        #expect(slots.waiting.map(\.keys) == [["a/w2/m0#1", "a/w2/m1#1"], ["a/w3/m0#1"]])
        #expect(slots.release("a/w1/m0#1", limit: 1, now: t0) == ["w2"])
        #expect(slots.acquire("a/w2/m0#1", workflow: "w2", repository: "r", limit: 1, pace: pace, now: t0) == .granted)
        #expect(slots.waiting.map(\.workflow) == ["w3", "w2"])
        #expect(slots.withdraw("w3", limit: 2, now: t0) == ["w2"])
    }

    @Test func `a woken waiter that never comes loses its promise after the grace period`() {
        var slots = TenantSlots()
        _ = slots.acquire("a/w1/m0#1", workflow: "w1", repository: "r", limit: 1, pace: pace, now: t0)
        _ = slots.acquire("a/w2/m0#1", workflow: "w2", repository: "r", limit: 1, pace: pace, now: t0)
        _ = slots.release("a/w1/m0#1", limit: 1, now: t0)
        let late = t0.adding(seconds: TenantSlots.wakeGraceSeconds)
        #expect(
            slots.acquire("a/w3/m0#1", workflow: "w3", repository: "r", limit: 1, pace: pace, now: late) == .granted)
        #expect(slots.waiting.isEmpty)
    }

    @Test func `a repository's pace holds dispatches until the oldest in the window expires`() {
        var slots = TenantSlots()
        let pace = DispatchPace(count: 2, seconds: 10)
        #expect(slots.acquire("a/w/m0#1", workflow: "w", repository: "r", limit: 9, pace: pace, now: t0) == .granted)
        #expect(
            slots.acquire("a/w/m1#1", workflow: "w", repository: "r", limit: 9, pace: pace, now: t0.adding(seconds: 4))
                == .granted)
        #expect(
            slots.acquire("a/w/m2#1", workflow: "w", repository: "r", limit: 9, pace: pace, now: t0.adding(seconds: 5))
                == .paced(until: t0.adding(seconds: 10)))
        #expect(
            slots.acquire(
                "a/w/m3#1", workflow: "w", repository: "other", limit: 9, pace: pace, now: t0.adding(seconds: 5))
                == .granted)
        #expect(
            slots.acquire("a/w/m2#1", workflow: "w", repository: "r", limit: 9, pace: pace, now: t0.adding(seconds: 10))
                == .granted)
    }

    @Test func `releasing a slot nobody holds changes nothing`() {
        var slots = TenantSlots()
        _ = slots.acquire("a/w1/m0#1", workflow: "w1", repository: "r", limit: 1, pace: pace, now: t0)
        let before = slots
        #expect(slots.release("a/w9/m0#1", limit: 1, now: t0).isEmpty)
        #expect(slots == before)
    }
}

struct RunSlotTests {
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
        compactMap { if case .releaseSlot(let key) = $0 { key } else { nil } }
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
