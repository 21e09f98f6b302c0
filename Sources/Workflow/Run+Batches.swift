/// Several mutants per CI run (`settings.mutantsPerRun` > 1): batches are formed from waiting
/// mutants when a slot is free, each batch is one CI run holding one slot, and each of its mutants
/// is settled from its own results. A mutant the run leaves without a result goes into a later
/// batch; one with a result is never run again.
extension Run {
    /// Whether this measurement tests several mutants per CI run.
    var batching: Bool { settings.mutantsPerRun > 1 }

    /// Groups up to `mutantsPerRun` waiting mutants into a new batch, a file's mutants together
    /// (one build then serves them); nil when none waits.
    mutating func formBatch() -> JobName? {
        let waiting = mutants.filter { $0.status == .pending }.compactMap { job -> Mutant? in
            guard case .mutant(let id) = job.name else { return nil }
            return plan?[id]
        }
        guard !waiting.isEmpty else { return nil }
        let fileOrder = (plan ?? []).reduce(into: [String: Int]()) { order, mutant in
            if order[mutant.path] == nil { order[mutant.path] = order.count }
        }
        let members = waiting.sorted { (fileOrder[$0.path] ?? 0, $0.id) < (fileOrder[$1.path] ?? 0, $1.id) }
            .prefix(settings.mutantsPerRun).map(\.id)
        let number = batches?.count ?? 0
        var batch = Job(name: .batch(number))
        batch.members = Array(members)
        batches = (batches ?? []) + [batch]
        for id in members {
            update(.mutant(id)) { job in
                job.status = .batched
                job.batch = number
            }
        }
        return .batch(number)
    }

    /// A batch's attempt starts: each of its mutants starts an attempt of its own with it.
    mutating func startingMembers(of batch: Job, now: Instant) {
        for id in batch.members ?? [] {
            update(.mutant(id)) { $0.beginAttempt(at: now) }
        }
    }

    /// A batch's attempt was not taken (no slot): its mutants' attempts are undone with it.
    mutating func undoingMembers(of batch: Job) {
        for id in batch.members ?? [] {
            update(.mutant(id)) { $0.undoAttempt() }
        }
    }

    /// The batch's dispatch: its mutants with their time limits, in the order the run tests them.
    func batchDispatch(_ batch: Job) -> Effect {
        let members = (batch.members ?? []).compactMap { timed(plan?[$0]) }
        return .dispatch(batch.key(in: self), pullRequest, mutant: nil, batch: members)
    }

    /// A batch's run ended, however: its slot is given back and its results are read, since a run
    /// that was cancelled or died half-way may still have results for some of its mutants. The next
    /// batch waits for them: the mutants they leave without a result go into it.
    mutating func batchFinished(_ key: JobKey, _ conclusion: CIConclusion, ciRunID: Int64?, url: String?, now: Instant)
        -> [Effect]
    {
        guard let batch = job(key.job), key.attempt == batch.attempt, batch.status.isInFlight else {
            return strayRun(key)
        }
        update(key.job) { job in
            job.record(key.attempt, result: AttemptResult(conclusion), at: now)
            job.status = .inspecting
            job.ciRunID = ciRunID ?? job.ciRunID
            job.ciRunURL = url ?? job.ciRunURL
            job.deadline = nil
            job.polling = nil
        }
        let read = Effect.readResults(
            key, pullRequest, ciRunID: ciRunID ?? batch.ciRunID, readSteps: false, paths: nil)
        return [.releaseSlot(key, slot: batch.slot), read]
    }

    /// A batch's results arrived: each of its mutants is settled from its own, or waits for a
    /// later batch. Results for a mutant not in the batch, or settled already, change nothing.
    mutating func batchResultsRead(_ key: JobKey, _ results: RunResults, now: Instant) -> [Effect] {
        guard case .batch(let number) = key.job, let batch = job(key.job), batch.status == .inspecting,
            key.attempt == batch.attempt
        else { return [] }
        for id in batch.members ?? [] {
            guard let member = job(.mutant(id)), member.status == .batched, member.batch == number else { continue }
            guard let result = results.members?[id] else {
                releaseMember(id, .infrastructure(Self.noResult), now: now)
                continue
            }
            settleMember(id, result, now: now)
        }
        update(key.job) { $0.status = .passed }
        return afterJobEnded(key.job, now: now)
    }

    /// What a mutant's attempt says when its batch's results had nothing for it.
    public static let noResult = "its batch's results had nothing for it"

    private mutating func settleMember(_ id: Int, _ result: MemberResult, now: Instant) {
        guard let member = job(.mutant(id)) else { return }
        switch Settlement.settle(result, baseline: baselineTests, rechecked: member.rechecked == true) {
        case nil:
            releaseMember(id, .infrastructure(result.note ?? "its tests could not run"), now: now)
        case .runAgain:
            update(.mutant(id)) { job in
                job.record(job.attempt, result: .failed, at: now)
                job.rechecked = true
                job.status = .pending
                job.batch = nil
            }
        case .settled(let settled):
            update(.mutant(id)) { job in
                job.record(job.attempt, result: settled.status.attemptResult, at: now)
                job.result = settled
                job.status = settled.status.jobStatus
                job.batch = nil
            }
        }
    }

    /// A mutant its batch left without a result: it waits for a later batch, or after its last
    /// attempt ends errored (Timeout when its batches ran past their deadline).
    mutating func releaseMember(_ id: Int, _ result: AttemptResult, now: Instant) {
        let maxAttempts = settings.maxAttempts
        update(.mutant(id)) { job in
            job.record(job.attempt, result: result, at: now)
            job.batch = nil
            guard job.attempt >= maxAttempts else {
                job.status = .pending
                return
            }
            job.status = .errored
            job.result =
                result == .timedOut
                ? MutantResult(.timeout, note: "its batches ran past their deadline, after its retries")
                : MutantResult(.runtimeError, note: "no result after \(job.attempt) batches: \(result)")
        }
    }

    /// A batch's attempt failed before its run ended (not dispatched, or past its deadline): the
    /// batch is over, and its mutants wait for later batches.
    mutating func batchFailed(_ key: JobKey, _ result: AttemptResult, releasing: Bool, now: Instant) -> [Effect] {
        guard let batch = job(key.job), batch.attempt == key.attempt, batch.status.isInFlight else { return [] }
        let release: [Effect] = releasing ? [.releaseSlot(key, slot: batch.slot)] : []
        update(key.job) { job in
            job.record(key.attempt, result: result, at: now)
            job.deadline = nil
            job.polling = nil
            job.status = .errored
        }
        // Only a run the CI took counts as one that ran past its deadline.
        let said = result == .timedOut && batch.status != .running ? .infrastructure("not started in time") : result
        for id in batch.members ?? [] where job(.mutant(id))?.status == .batched {
            releaseMember(id, said, now: now)
        }
        return release + afterJobEnded(key.job, now: now)
    }
}

extension MutantStatus {
    /// How a mutant's attempt reads on the timeline once it is settled with this status.
    var attemptResult: AttemptResult {
        switch self {
        case .killed: .failed
        case .survived: .passed
        case .timeout: .timedOut
        case .compileError: .infrastructure(Run.didNotApply)
        default: .infrastructure(rawValue)
        }
    }
}
