/// The transition function: one event in, the next state and its effects out.
extension Run {
    public static func transition(_ state: Run, _ event: Event, now: Instant) -> (Run, [Effect]) {
        var run = state
        let effects = run.apply(event, now: now)
        if effects.isEmpty && run == state { return (state, []) }
        run.updatedAt = max(now, state.updatedAt)
        return (run, effects)
    }

    private mutating func apply(_ event: Event, now: Instant) -> [Effect] {
        switch (phase, event) {
        case (_, .rerunRequested(let selection)):
            return rerun(selection, now: now)
        case (_, .restarted(let id)):
            return restarted(as: id, now: now)
        case (.done, .ciFinished(let key, _, _, _)), (.reporting, .ciFinished(let key, _, _, _)):
            return strayRun(key)
        case (.done, _):
            return []
        case (.reporting, .reported):
            phase = .done
            return []
        case (.reporting, .checkRunCreated(let id)):
            checkRunID = checkRunID ?? id
            return []
        case (.reporting, _):
            return []
        case (_, .filesListed(let files)):
            return planned(files, now: now)
        case (_, .checkRunCreated(let id)):
            checkRunID = checkRunID ?? id
            return []
        case (_, .dispatched(let key, let ciRunID, let url, let slot)):
            markRunning(key, ciRunID: ciRunID, url: url, slot: slot, now: now)
            return []
        case (_, .dispatchFailed(let key, let reason)):
            return attemptFailed(key, AttemptResult(reason), releasing: true, now: now)
        case (_, .queued(let key, let until)):
            return queued(key, until: until, now: now)
        case (_, .slotFreed):
            return slotFreed(now: now)
        case (_, .ciFinished(let key, let conclusion, let ciRunID, let url)):
            return finished(key, conclusion, ciRunID: ciRunID, url: url, now: now)
        case (_, .tick):
            return timedOut(now: now) + dispatchDue(now: now)
        case (_, .paused):
            return pause(now: now)
        case (_, .resumed):
            return resume(now: now)
        case (_, .cancelRequested(let reason)):
            return end(
                .cancelled(reason), report: endedReport(.cancelled, title: "Tinybug: cancelled", reason: reason),
                now: now)
        case (_, .closed):
            let reason = "The pull request was closed."
            return end(
                .cancelled(reason), report: endedReport(.cancelled, title: "Tinybug: cancelled", reason: reason),
                now: now)
        case (_, .superseded(let sha)):
            let reason = "A newer push (\(sha)) is measured instead."
            return end(
                .superseded(by: sha), report: endedReport(.neutral, title: "Tinybug: superseded", reason: reason),
                now: now)
        case (_, .failed(let reason)):
            return fail(reason, now: now)
        case (_, .inspected(let key, let testsFailed, let reason)):
            return resultsRead(key, RunResults(applied: testsFailed, note: testsFailed ? nil : reason), now: now)
        case (_, .resultsRead(let key, let results)):
            return resultsRead(key, results, now: now)
        case (_, .polled(let key, let conclusion)):
            return polled(key, conclusion, now: now)
        case (_, .cancelled), (_, .reported), (_, .slotReleased):
            return []
        }
    }

    /// Keeps every mutant the added lines allow; the plan is chosen from them once the baseline
    /// is judged (its coverage decides which lines get a CI run).
    private mutating func planned(_ files: [ChangedFile], now: Instant) -> [Effect] {
        guard plan == nil, candidates == nil else { return [] }
        candidates = MutantPlanner.candidates(in: files)
        return proceed(now: now)
    }

    private mutating func markRunning(_ key: JobKey, ciRunID: Int64?, url: String?, slot: Int?, now: Instant) {
        update(key.job) { job in
            guard job.attempt == key.attempt, job.status == .dispatching else { return }
            job.status = .running
            job.slot = slot
            job.ciRunID = ciRunID ?? job.ciRunID
            job.ciRunURL = url ?? job.ciRunURL
        }
    }

    private mutating func finished(
        _ key: JobKey, _ conclusion: CIConclusion, ciRunID: Int64?, url: String?, now: Instant
    ) -> [Effect] {
        if case .batch = key.job { return batchFinished(key, conclusion, ciRunID: ciRunID, url: url, now: now) }
        guard let job = job(key.job), key.attempt <= job.attempt else { return [] }
        let stale = strayRun(key)
        guard !job.status.isFinal else { return stale }
        switch conclusion {
        case .infrastructure(let reason):
            guard key.attempt == job.attempt, job.status.isInFlight else { return stale }
            return attemptFailed(key, AttemptResult(reason), releasing: true, now: now)
        case .passed, .failed:
            guard job.status != .inspecting else { return stale }
            var effects: [Effect] = stale
            if key.attempt != job.attempt, job.status.isInFlight {
                effects.append(.cancel(job.key(in: self), pullRequest, ciRunID: job.ciRunID, slot: job.slot))
            }
            // A baseline's results teach the tests and coverage; a failed mutant's say who killed it.
            let read = key.job.isBaseline || conclusion == .failed
            if key.attempt == job.attempt, job.status.isInFlight { effects.append(.releaseSlot(key, slot: job.slot)) }
            update(key.job) { job in
                job.record(key.attempt, result: AttemptResult(conclusion), at: now)
                // A late conclusive answer for an attempt given up: its tests' word stands.
                if let index = job.attempts.lastIndex(where: { $0.number == key.attempt }) {
                    job.attempts[index].result = AttemptResult(conclusion)
                }
                job.status = read ? .inspecting : .passed
                if !read { job.result = MutantResult(.survived) }
                job.ciRunID = ciRunID ?? job.ciRunID
                job.ciRunURL = url ?? job.ciRunURL
                job.deadline = nil
                job.retryAt = nil
                job.polling = nil
            }
            if read {
                let runID = ciRunID ?? (key.attempt == job.attempt ? job.ciRunID : nil)
                let paths = candidates.map { Array(Set($0.map(\.path))).sorted() }
                let effect = Effect.readResults(
                    key, pullRequest, ciRunID: runID, readSteps: !key.job.isBaseline, paths: paths)
                return effects + [effect] + fillSlots(now: now)
            }
            return effects + afterJobEnded(key.job, now: now)
        }
    }

    /// A run that ended but is not the job's attempt in flight gives back the slot it may hold: an
    /// earlier attempt's run, or one that reached the CI after its attempt was given up (the job
    /// went back to waiting, was settled by a late answer of the attempt before, or was cancelled
    /// with its workflow). A second word about an attempt that ended on its own gives nothing back.
    func strayRun(_ key: JobKey) -> [Effect] {
        guard let job = job(key.job), key.attempt <= job.attempt else { return [] }
        guard key.attempt == job.attempt else { return [.releaseSlot(key)] }
        if job.status.isInFlight { return [] }
        let attempt = job.attempts.last { $0.number == key.attempt }
        // A run cancelled while it ran gave its slot back through the cancel; one cancelled before
        // the CI's answer came (no slot known) may have taken one after.
        let givenUp = attempt.map { $0.endedAt == nil || ($0.result == .cancelled && job.slot == nil) } ?? true
        let waiting = [.pending, .queued, .retrying].contains(job.status)
        return waiting || givenUp ? [.releaseSlot(key)] : []
    }

    /// A finished run's results arrived: a baseline run keeps them for the judgement of the
    /// baseline; a mutant is settled from them (or runs once more when only unstable tests failed).
    private mutating func resultsRead(_ key: JobKey, _ results: RunResults, now: Instant) -> [Effect] {
        if case .batch = key.job { return batchResultsRead(key, results, now: now) }
        guard let job = job(key.job), job.status == .inspecting else { return [] }
        guard !key.job.isBaseline else {
            update(key.job) { job in
                let result = job.attempts.last { $0.number == key.attempt }?.result
                job.status = result == .failed ? .failed : .passed
                job.tests = results.tests
                job.coverage = results.coverage
            }
            return afterJobEnded(key.job, now: now)
        }
        switch Settlement.settle(results, baseline: baselineTests, rechecked: job.rechecked == true) {
        case .runAgain:
            let batching = batching
            update(key.job) { job in
                job.rechecked = true
                job.status = batching ? .pending : .retrying
                job.retryAt = batching ? nil : now
            }
            return fillSlots(now: now)
        case .settled(let result):
            update(key.job) { job in
                job.result = result
                job.status = result.status.jobStatus
                if !results.applied, let index = job.attempts.lastIndex(where: { $0.number == key.attempt }) {
                    job.attempts[index].result = .infrastructure(Run.didNotApply)
                }
            }
            return afterJobEnded(key.job, now: now)
        }
    }

    /// The CI's answer about a job past its deadline: a lost completion is applied; a run still
    /// going (or unknown) has timed out.
    private mutating func polled(_ key: JobKey, _ conclusion: CIConclusion?, now: Instant) -> [Effect] {
        guard let job = job(key.job), job.attempt == key.attempt, job.status.isInFlight else { return [] }
        if let conclusion { return finished(key, conclusion, ciRunID: nil, url: nil, now: now) }
        // The cancel gives the slot back once the CI run is stopped.
        return [.cancel(key, pullRequest, ciRunID: job.ciRunID, slot: job.slot)]
            + attemptFailed(key, .timedOut, now: now)
    }

    /// An attempt ended without a test result: retry after a backoff, or give up as errored.
    /// - Parameter releasing: the CI run is over, so its slot is given back now (otherwise a
    ///   cancel effect gives it back once the run is stopped).
    private mutating func attemptFailed(_ key: JobKey, _ result: AttemptResult, releasing: Bool = false, now: Instant)
        -> [Effect]
    {
        if case .batch = key.job { return batchFailed(key, result, releasing: releasing, now: now) }
        guard let job = job(key.job), job.attempt == key.attempt, job.status.isInFlight else { return [] }
        let release: [Effect] = releasing ? [.releaseSlot(key, slot: job.slot)] : []
        let settings = settings
        // Only a run the CI took counts as one that ran past its deadline.
        let started = job.status == .running
        update(key.job) { job in
            job.record(key.attempt, result: result, at: now)
            job.deadline = nil
            job.polling = nil
            if job.attempt >= settings.maxAttempts {
                job.status = .errored
                if case .mutant = key.job {
                    job.result =
                        result == .timedOut && started
                        ? MutantResult(.timeout, note: "past its deadline, after its retries")
                        : MutantResult(.runtimeError, note: result.description)
                }
            } else {
                job.status = .retrying
                job.retryAt = now.adding(seconds: settings.backoff(afterAttempt: job.attempt))
            }
        }
        return release + afterJobEnded(key.job, now: now)
    }

    /// Jobs in flight past their deadline: first ask the CI (the completion may have been lost);
    /// if the answer does not come in time either, cancel and count a failed attempt.
    private mutating func timedOut(now: Instant) -> [Effect] {
        var effects: [Effect] = []
        for job in jobs where job.status.isInFlight && (job.deadline.map { $0 <= now } ?? false) {
            let key = job.key(in: self)
            if job.polling == true {
                effects.append(.cancel(key, pullRequest, ciRunID: job.ciRunID, slot: job.slot))
                effects += attemptFailed(key, .timedOut, now: now)
            } else {
                update(job.name) { job in
                    job.polling = true
                    job.deadline = now.adding(seconds: Self.pollGraceSeconds)
                }
                effects.append(.poll(key, pullRequest, ciRunID: job.ciRunID))
            }
        }
        return effects
    }

    /// How long the CI's answer about a job past its deadline may take before the job times out anyway.
    public static let pollGraceSeconds: Int64 = 120
}

extension Job {
    mutating func record(_ attempt: Int, result: AttemptResult, at now: Instant) {
        guard let index = attempts.lastIndex(where: { $0.number == attempt }), attempts[index].endedAt == nil else {
            return
        }
        attempts[index].endedAt = now
        attempts[index].result = result
    }
}
