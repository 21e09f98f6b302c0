/// The measurement of one head commit of one PR: a value-type state machine.
/// `transition` takes a state, an event and the time, and returns the next state and effects.
public struct Run: Codable, Equatable, Sendable {
    public enum Phase: String, Codable, Sendable {
        /// The baseline's runs go; the PR's files are listed meanwhile, and the plan is made from
        /// them once the baseline's coverage is known.
        case baseline
        /// Mutant jobs run, at most `maxConcurrentJobs` at once.
        case mutants
        /// Waiting for the check run to be completed.
        case reporting
        /// Nothing more will happen.
        case done
    }

    /// How the workflow ended.
    public enum Outcome: Codable, Equatable, Sendable {
        case scored
        case inconclusive(String)
        case cancelled(String)
        case superseded(by: String)
        case failed(String)
    }

    /// A span during which the workflow was paused, for the timeline.
    public struct Pause: Codable, Equatable, Sendable {
        public var from: Instant
        public var until: Instant?
    }

    public var id: String
    public var tenant: String
    public var pullRequest: PullRequest
    public var settings: Settings
    public var phase: Phase
    public var paused: Bool
    public var pauses: [Pause]
    /// The mutants, once the PR's files are listed and the baseline's runs are judged.
    public var plan: [Mutant]?
    /// Every mutant the PR's added lines allow, from which the plan is chosen.
    public var candidates: [Mutant]?
    public var baseline: Job
    /// The baseline's later runs (`base2`…), when `settings.baselineRuns` > 1.
    public var repeats: [Job]?
    /// What the baseline's runs taught about the tests; nil without per-test results.
    public var baselineTests: BaselineTests?
    /// One job per planned mutant, in the plan's order.
    public var mutants: [Job]
    /// The CI runs that test several mutants each (`settings.mutantsPerRun` > 1), `b0`, `b1`…: a
    /// batch is formed from waiting mutants when a slot is free, and a mutant it leaves without a
    /// result goes into a later one.
    public var batches: [Job]?
    public var checkRunID: Int64?
    public var outcome: Outcome?
    public var report: Report?
    public var startedAt: Instant
    public var updatedAt: Instant
    /// A tenant slot was promised while a dispatch's answer was still on its way.
    public var slotFreedAt: Instant?
    /// How many times some of its mutants were measured again in this workflow (each on a new
    /// check run).
    public var reruns: Int?
    /// The check run of the report before the last rerun, which the new one links.
    public var earlierCheckRunID: Int64?
    /// The workflow that measures this head again from the start.
    public var restartedAs: String?

    /// A new workflow and its first effects: the check run, the file list and the baseline job.
    public static func start(
        id: String, tenant: String, pullRequest: PullRequest, settings: Settings, paused: Bool = false, now: Instant
    ) -> (Run, [Effect]) {
        var run = Run(
            id: id, tenant: tenant, pullRequest: pullRequest, settings: settings, phase: .baseline, paused: false,
            pauses: [], plan: nil, baseline: Job(name: .baseline), mutants: [], checkRunID: nil, outcome: nil,
            report: nil, startedAt: now, updatedAt: now)
        let repeats = settings.baselineRuns > 1 ? (2...settings.baselineRuns).map { Job(name: .baselineRun($0)) } : []
        run.repeats = repeats.isEmpty ? nil : repeats
        var effects: [Effect] = [
            .createCheckRun(pullRequest, workflow: run.checkRunExternalID), .listFiles(pullRequest, workflow: id),
        ]
        if paused {
            run.paused = true
            run.pauses = [Pause(from: now)]
        } else {
            effects += run.baselines.flatMap { run.dispatching($0.name, now: now) }
        }
        return (run, effects)
    }

    /// The status people see.
    public var status: MeasurementStatus {
        switch outcome {
        case nil: paused ? .paused : .running
        case .scored: .completed
        case .inconclusive: .inconclusive
        case .cancelled: .cancelled
        case .superseded: .superseded
        case .failed: .failed
        }
    }

    /// The next moment a timer must look at this workflow, if any.
    public var deadline: Instant? {
        guard phase == .baseline || phase == .mutants else { return nil }
        let timeouts = jobs.filter(\.status.isInFlight).compactMap(\.deadline)
        let retries = paused ? [] : jobs.filter { $0.status == .retrying || $0.status == .queued }.compactMap(\.retryAt)
        return (timeouts + retries).min()
    }

    /// A dispatch or poll of an attempt that is no longer the job's current one in flight: run
    /// late, a dispatch would start a CI run nobody waits for.
    public func isObsolete(_ effect: Effect) -> Bool {
        switch effect {
        case .dispatch(let key, _, _, _):
            guard let job = job(key.job) else { return true }
            return job.attempt != key.attempt || job.status != .dispatching
        case .poll(let key, _, _):
            guard let job = job(key.job) else { return true }
            return job.attempt != key.attempt || !job.status.isInFlight
        default:
            return false
        }
    }

    /// Every job, the baseline's runs first, then the mutants and the batches.
    public var jobs: [Job] { baselines + mutants + (batches ?? []) }

    /// The jobs that are CI runs of mutants: each mutant, or with batches each batch.
    var mutantRuns: [Job] { mutants.filter { $0.status != .batched } + (batches ?? []) }

    /// The baseline's runs: `base`, then `base2`….
    public var baselines: [Job] { [baseline] + (repeats ?? []) }

    /// A timeline's rows, one per CI run: the baseline's runs, then each mutant or each batch.
    public var timelineRows: [Job] { baselines + (batches ?? mutants) }

    public func job(_ name: JobName) -> Job? {
        switch name {
        case .baseline: baseline
        case .baselineRun(let number): repeats?.first { $0.name == .baselineRun(number) }
        case .mutant(let id): mutants.indices.contains(id) ? mutants[id] : nil
        case .batch(let number): batches.flatMap { $0.indices.contains(number) ? $0[number] : nil }
        }
    }

    mutating func update(_ name: JobName, _ change: (inout Job) -> Void) {
        switch name {
        case .baseline: change(&baseline)
        case .baselineRun(let number):
            guard var runs = repeats, let index = runs.firstIndex(where: { $0.name == .baselineRun(number) }) else {
                return
            }
            change(&runs[index])
            repeats = runs
        case .mutant(let id) where mutants.indices.contains(id): change(&mutants[id])
        case .mutant: break
        case .batch(let number) where batches?.indices.contains(number) == true: change(&batches![number])
        case .batch: break
        }
    }

    /// The reason an attempt's result gives when its mutant did not apply.
    public static let didNotApply = "the mutant did not apply"
}

/// Where a measurement stands, as people see it (pages, the control API, the CLI).
public enum MeasurementStatus: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case running, paused, completed, inconclusive, failed, cancelled, superseded

    public var description: String { rawValue }
}
