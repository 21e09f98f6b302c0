/// How a CI run ended, as the workflow sees it.
public enum CIConclusion: Codable, Equatable, Sendable {
    /// The tests passed.
    case passed
    /// The tests failed.
    case failed
    /// The run did not say anything about the tests (cancelled, timed out, failed to start…).
    case infrastructure(String)
}

/// Something that happened to a workflow. Every input arrives as one of these.
public enum Event: Codable, Equatable, Sendable {
    case filesListed([ChangedFile])
    case checkRunCreated(id: Int64)
    case dispatched(JobKey, ciRunID: Int64?, url: String?, slot: Int? = nil)
    case dispatchFailed(JobKey, reason: String)
    /// The tenant had no slot for the job (nil), or its repository's pace is used up until `until`.
    case queued(JobKey, until: Instant?)
    /// A slot of the tenant was freed and promised to this workflow.
    case slotFreed
    /// The job's tenant slot was given back.
    case slotReleased(JobKey)
    case ciFinished(JobKey, CIConclusion, ciRunID: Int64?, url: String?)
    case cancelled(JobKey)
    /// The failed run's steps were read: did the tests fail, or did the mutant not apply?
    /// (Documents from before results artifacts; `resultsRead` says it now.)
    case inspected(JobKey, testsFailed: Bool, reason: String)
    /// The finished run's results were read: steps, and its artifact's tests and coverage.
    case resultsRead(JobKey, RunResults)
    /// The CI was asked about a job past its deadline: its conclusion, or nil while it still runs (or is unknown).
    case polled(JobKey, CIConclusion?)
    case reported
    case tick
    case paused
    case resumed
    case cancelRequested(reason: String)
    case closed
    case superseded(by: String)
    case failed(reason: String)
    /// Measure some mutants of a finished workflow again, in it, on a new check run.
    case rerunRequested(RerunSelection)
    /// The head is measured again from the start, as the workflow `as`.
    case restarted(as: String)

    /// One line for the history.
    public var summary: String {
        switch self {
        case .filesListed(let files): "listed \(files.count) changed files"
        case .checkRunCreated(let id): "check run \(id) created"
        case .dispatched(let key, let run, _, _): "dispatched \(key)" + (run.map { " as CI run \($0)" } ?? "")
        case .dispatchFailed(let key, let reason): "dispatch of \(key) failed: \(reason)"
        case .queued(let key, let until):
            "\(key) waits for "
                + (until.map { "the repository's dispatch pace (until \($0))" } ?? "a free slot of the tenant")
        case .slotFreed: "a slot of the tenant was freed"
        case .slotReleased(let key): "the slot of \(key) was given back"
        case .ciFinished(let key, let conclusion, _, _): "CI finished \(key): \(conclusion.summary)"
        case .cancelled(let key): "CI run \(key) cancelled"
        case .inspected(let key, let testsFailed, let reason):
            "inspected \(key): " + (testsFailed ? "the tests failed" : reason)
        case .resultsRead(let key, let results): "read the results of \(key): \(results.summary)"
        case .polled(let key, let conclusion): "asked the CI about \(key): " + (conclusion?.summary ?? "still running")
        case .reported: "check run completed"
        case .tick: "timer fired"
        case .paused: "paused"
        case .resumed: "resumed"
        case .cancelRequested(let reason): "cancel requested: \(reason)"
        case .closed: "pull request closed"
        case .superseded(let sha): "superseded by \(sha)"
        case .failed(let reason): "failed: \(reason)"
        case .rerunRequested(let selection): "rerun of the \(selection.rawValue) mutants requested"
        case .restarted(let id): "measured again from the start as \(id)"
        }
    }
}

extension CIConclusion {
    public var summary: String {
        switch self {
        case .passed: "passed"
        case .failed: "failed"
        case .infrastructure(let reason): reason
        }
    }
}
