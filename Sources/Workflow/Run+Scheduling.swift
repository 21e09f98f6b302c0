/// Dispatching jobs within the concurrency limit, and moving between phases.
extension Run {
    /// Marks the job's next attempt as dispatching and returns its dispatch effect.
    mutating func dispatching(_ name: JobName, now: Instant) -> [Effect] {
        let timeout = settings.jobTimeoutSeconds
        update(name) { job in
            job.beginAttempt(at: now)
            job.status = .dispatching
            job.retryAt = nil
            job.polling = nil
            job.slot = nil
            job.deadline = now.adding(seconds: timeout)
        }
        guard let job = job(name) else { return [] }
        let mutant: Mutant?
        switch name {
        case .baseline, .baselineRun: mutant = nil
        case .mutant(let id): mutant = timed(plan?[id])
        case .batch:
            startingMembers(of: job, now: now)
            return [batchDispatch(job)]
        }
        return [.dispatch(job.key(in: self), pullRequest, mutant: mutant)]
    }

    /// The mutant as dispatched: with its time limit from the baseline's test time.
    func timed(_ mutant: Mutant?) -> Mutant? {
        guard var mutant else { return nil }
        mutant.timeout = baselineTests?.mutantTimeout
        return mutant
    }

    mutating func startMutants(now: Instant) -> [Effect] {
        guard phase == .baseline else { return [] }
        phase = .mutants
        return mutants.allSatisfy(\.status.isFinal) ? complete(now: now) : fillSlots(now: now)
    }

    /// Dispatches due retries first, then jobs that waited for a tenant slot, then pending jobs
    /// in plan order (with batches: new batches of pending mutants), up to the free slots. While a
    /// job waits to be woken, nothing new is asked for.
    mutating func fillSlots(now: Instant) -> [Effect] {
        guard phase == .mutants, !paused, !waitingForSlot(now: now) else { return [] }
        let runs = mutantRuns
        var free = settings.maxConcurrentJobs - runs.filter(\.status.isInFlight).count
        var effects: [Effect] = []
        let due = runs.filter {
            ($0.status == .retrying || $0.status == .queued) && ($0.retryAt.map { $0 <= now } ?? true)
        }
        let pending = batching ? [] : mutants.filter { $0.status == .pending }
        for job in due + pending where free > 0 {
            effects += dispatching(job.name, now: now)
            free -= 1
        }
        while batching, free > 0, let batch = formBatch() {
            effects += dispatching(batch, now: now)
            free -= 1
        }
        return effects
    }

    /// Re-dispatches the baseline's runs whose retry (or slot wait) is due, or fills mutant slots.
    mutating func dispatchDue(now: Instant) -> [Effect] {
        guard !paused else { return [] }
        if phase == .baseline {
            let due = baselines.filter {
                ($0.status == .retrying || $0.status == .queued) && ($0.retryAt.map { $0 <= now } ?? false)
            }
            return due.flatMap { dispatching($0.name, now: now) }
        }
        return fillSlots(now: now)
    }

    private func waitingForSlot(now: Instant) -> Bool {
        mutantRuns.contains { $0.status == .queued && ($0.retryAt.map { $0 > now } ?? false) }
    }

    /// How long a job that found no free slot waits before asking again, in case the wake-up is lost.
    public static let slotRecheckSeconds: Int64 = 30

    /// The tenant had no slot for the job: undo the attempt and wait, to be woken by a freed slot
    /// or until the repository's pace allows another dispatch. A slot freed for this workflow while
    /// the answer was on its way is not lost: the job asks once more at once.
    mutating func queued(_ key: JobKey, until: Instant?, now: Instant) -> [Effect] {
        guard let job = job(key.job), job.attempt == key.attempt, job.status == .dispatching else { return [] }
        let promised = until == nil && (slotFreedAt.map { $0.adding(seconds: Self.slotRecheckSeconds) > now } ?? false)
        if promised { slotFreedAt = nil }
        update(key.job) { job in
            job.undoAttempt()
            job.status = .queued
            job.deadline = nil
            job.retryAt = promised ? now : until ?? now.adding(seconds: Self.slotRecheckSeconds)
        }
        undoingMembers(of: job)
        return promised ? dispatchDue(now: now) : []
    }

    /// A slot was promised to this workflow: every waiting job is due now. When none is waiting
    /// yet (its answer is still on its way), the promise is remembered.
    mutating func slotFreed(now: Instant) -> [Effect] {
        for job in jobs where job.status == .queued && (job.retryAt.map { $0 > now } ?? false) {
            update(job.name) { $0.retryAt = now }
        }
        let effects = dispatchDue(now: now)
        if effects.isEmpty, jobs.contains(where: { $0.status == .dispatching }) { slotFreedAt = now }
        return effects
    }

    /// What follows a job reaching a final or retrying state.
    mutating func afterJobEnded(_ name: JobName, now: Instant) -> [Effect] {
        guard name.isBaseline else {
            if mutants.allSatisfy(\.status.isFinal) { return complete(now: now) }
            return fillSlots(now: now)
        }
        switch judgeBaseline() {
        case .waiting: return dispatchDue(now: now)
        case .inconclusive(let outcome, let reason):
            return end(.inconclusive(outcome), report: inconclusiveReport(reason), now: now)
        case .ready: return proceed(now: now)
        }
    }

    /// Once the baseline is judged usable and the files are listed: the plan, then the mutants.
    mutating func proceed(now: Instant) -> [Effect] {
        guard phase == .baseline, outcome == nil, case .ready(let tests, let coverage) = judgeBaseline() else {
            return []
        }
        if plan == nil {
            guard let candidates else { return [] }
            baselineTests = tests
            choosePlan(candidates, coverage: coverage)
        }
        // What the runs taught now lives in the plan and `baselineTests`.
        for job in baselines { update(job.name) { $0.coverage = nil } }
        return startMutants(now: now)
    }

    /// The mutants that get a CI run (covered lines, or lines the coverage does not speak of) and
    /// the uncovered lines, settled as `NoCoverage` without one.
    mutating func choosePlan(_ candidates: [Mutant], coverage: LineCoverage?) {
        let relative = coverage?.relative(to: Set(candidates.map(\.path)))
        let chosen = MutantPlanner.plan(
            candidates, limit: settings.maxMutants, uncoveredLimit: Self.maxUncoveredListed
        ) { relative?.isCovered($0.path, line: $0.line) == false }
        plan = chosen.map(\.mutant)
        mutants = chosen.map { choice in
            var job = Job(name: .mutant(choice.mutant.id))
            if choice.uncovered {
                job.status = .notCovered
                job.result = MutantResult(.noCoverage, note: "no test of the baseline ran this line")
            }
            return job
        }
    }

    /// At most this many uncovered lines are listed as `NoCoverage` mutants.
    public static let maxUncoveredListed = 200

    mutating func complete(now: Instant) -> [Effect] {
        var report = scoredReport()
        report.actions = buttons
        if let earlier = earlierCheckRunID {
            let link = "https://github.com/\(pullRequest.owner)/\(pullRequest.repo)/runs/\(earlier)"
            report.summary =
                "This report measured some mutants again (rerun \(reruns ?? 1)); the one before it: [\(earlier)](\(link)).\n\n"
                + report.summary
        }
        let outcome: Outcome = report.conclusion == .neutral ? .inconclusive(report.summary) : .scored
        return end(outcome, report: report, now: now)
    }

    /// The completed check run's buttons: rerun the survivors or the errored mutants when there are
    /// any, and start over.
    var buttons: [CheckRunAction] {
        var buttons: [CheckRunAction] = []
        if !rerunCandidates(.survived).isEmpty { buttons.append(.rerunSurvivors) }
        if !rerunCandidates(.errored).isEmpty { buttons.append(.rerunErrored) }
        return buttons + [.startOver]
    }

    /// Ends the workflow: cancels what is in flight and completes the check run.
    mutating func end(_ outcome: Outcome, report: Report, now: Instant) -> [Effect] {
        guard self.outcome == nil else { return [] }
        let cancels = cancelInFlight(now: now)
        self.outcome = outcome
        self.report = report
        phase = .reporting
        if paused { closePause(now: now) }
        return cancels + [
            .completeCheckRun(pullRequest, workflow: checkRunExternalID, checkRunID: checkRunID, report: report)
        ]
    }

    /// Ends the workflow without a report: the repository can no longer be reached.
    mutating func fail(_ reason: String, now: Instant) -> [Effect] {
        guard outcome == nil else { return [] }
        let cancels = cancelInFlight(now: now)
        outcome = .failed(reason)
        report = endedReport(.neutral, title: "Tinybug: failed", reason: reason)
        phase = .done
        return cancels
    }

    private mutating func cancelInFlight(now: Instant) -> [Effect] {
        var effects: [Effect] = []
        for job in jobs where !job.status.isFinal {
            if job.status.isInFlight {
                effects.append(.cancel(job.key(in: self), pullRequest, ciRunID: job.ciRunID, slot: job.slot))
            }
            let attempt = job.attempt
            update(job.name) { job in
                job.record(attempt, result: .cancelled, at: now)
                job.status = .cancelled
                job.deadline = nil
                job.retryAt = nil
            }
        }
        return effects
    }

    mutating func pause(now: Instant) -> [Effect] {
        guard !paused else { return [] }
        paused = true
        pauses.append(Pause(from: now))
        return []
    }

    mutating func resume(now: Instant) -> [Effect] {
        guard paused else { return [] }
        closePause(now: now)
        for job in jobs where job.status == .queued { update(job.name) { $0.retryAt = now } }
        if phase == .baseline {
            return baselines.filter { $0.status == .pending || $0.status == .queued }.flatMap {
                dispatching($0.name, now: now)
            } + dispatchDue(now: now)
        }
        return dispatchDue(now: now)
    }

    private mutating func closePause(now: Instant) {
        paused = false
        if let last = pauses.indices.last, pauses[last].until == nil { pauses[last].until = now }
    }
}
