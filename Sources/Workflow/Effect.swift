/// Something the workflow asks the outside world to do. Data only: the engine records it in
/// the same write as the state, then an executor carries it out. `key` makes it idempotent.
public enum Effect: Codable, Equatable, Sendable {
    case createCheckRun(PullRequest, workflow: String)
    case listFiles(PullRequest, workflow: String)
    /// Start the job's CI run: the baseline (no mutant), one mutant, or a batch of mutants tested
    /// one after the other.
    case dispatch(JobKey, PullRequest, mutant: Mutant?, batch: [Mutant]? = nil)
    /// Cancel the CI run and give its tenant slot back (`slot`: its number, when known).
    case cancel(JobKey, PullRequest, ciRunID: Int64?, slot: Int? = nil)
    /// The job's CI run ended: give its tenant slot back (`slot`: its number, when known).
    case releaseSlot(JobKey, slot: Int? = nil)
    /// Read a failed run's steps: killed only if the test step failed. (Documents from before
    /// results artifacts; `readResults` does it now.)
    case inspect(JobKey, PullRequest, ciRunID: Int64?)
    /// Read a finished run's results artifact (tests, and coverage of `paths` for a baseline) and,
    /// with `readSteps`, whether its mutant applied.
    case readResults(JobKey, PullRequest, ciRunID: Int64?, readSteps: Bool, paths: [String]?)
    /// Ask the CI for a run's state: its completion webhook may have been lost.
    case poll(JobKey, PullRequest, ciRunID: Int64?)
    case completeCheckRun(PullRequest, workflow: String, checkRunID: Int64?, report: Report)

    /// Stable across retries and re-runs: executors look for this key before they create.
    public var key: String {
        switch self {
        case .createCheckRun(_, let workflow): "\(workflow)/check-run"
        case .listFiles(_, let workflow): "\(workflow)/list-files"
        case .dispatch(let job, _, _, _): "\(job)/dispatch"
        case .cancel(let job, _, _, _): "\(job)/cancel"
        case .releaseSlot(let job, _): "\(job)/release"
        case .inspect(let job, _, _), .readResults(let job, _, _, _, _): "\(job)/inspect"
        case .poll(let job, _, _): "\(job)/poll"
        case .completeCheckRun(_, let workflow, _, _): "\(workflow)/report"
        }
    }

    /// One line for the history.
    public var summary: String {
        switch self {
        case .createCheckRun: "create check run"
        case .listFiles: "list changed files"
        case .dispatch(let job, _, _, let batch?):
            "dispatch \(job) (mutants \(batch.map { "m\($0.id)" }.joined(separator: ", ")))"
        case .dispatch(let job, _, let mutant, nil):
            "dispatch \(job)" + (mutant.map { " (\($0.path):\($0.line) \($0.operator.rawValue))" } ?? " (baseline)")
        case .cancel(let job, _, _, _): "cancel \(job)"
        case .releaseSlot(let job, _): "free the slot of \(job)"
        case .inspect(let job, _, _): "inspect the failed run of \(job)"
        case .readResults(let job, _, _, _, _): "read the results of \(job)"
        case .poll(let job, _, _): "ask the CI about \(job)"
        case .completeCheckRun(_, _, _, let report): "report: \(report.title)"
        }
    }
}
