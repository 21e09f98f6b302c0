/// Where one CI job stands.
public enum JobStatus: String, Codable, Sendable {
    /// Not dispatched yet: waiting for one of the workflow's slots.
    case pending
    /// Asked for a CI run but the tenant had no slot free (or the repository's pace was used up):
    /// waits to be woken by a freed slot, or until `retryAt`.
    case queued
    /// The dispatch effect is out; no answer from the CI yet. Counts as in flight.
    case dispatching
    /// The CI accepted the job.
    case running
    /// An attempt failed for an infrastructure reason; the next waits for `retryAt`.
    case retrying
    /// The CI run ended; its results (steps, tests, coverage) are being read before it counts.
    case inspecting
    /// Final: the tests passed (a mutant survived; a green baseline).
    case passed
    /// Final: the tests failed (a mutant was killed; a red baseline).
    case failed
    /// Final: every attempt failed for infrastructure reasons; not in the score.
    case errored
    /// Final: the workflow was cancelled or superseded before the job finished.
    case cancelled
    /// Final, never dispatched: no test runs the mutant's line (the baseline's coverage says so).
    case notCovered
    /// A mutant in a batch (`settings.mutantsPerRun` > 1): the batch's CI run tests it. Neither in
    /// flight itself (its batch is) nor final.
    case batched

    public var isFinal: Bool { [.passed, .failed, .errored, .cancelled, .notCovered].contains(self) }
    public var isInFlight: Bool { self == .dispatching || self == .running }
}

/// One attempt at a job, kept for the timeline.
public struct Attempt: Codable, Equatable, Sendable {
    public var number: Int
    public var dispatchedAt: Instant
    public var endedAt: Instant?
    public var result: AttemptResult?
}

/// How one attempt ended. Stored as its words (`passed`, `failed`, `cancelled`, `timed out`, or
/// the infrastructure reason), so documents read the same as before.
public enum AttemptResult: Equatable, Sendable, Codable, CustomStringConvertible {
    case passed
    case failed
    case cancelled
    /// No completion arrived before the job's deadline.
    case timedOut
    /// The run ended without a word about the tests (the CI's reason).
    case infrastructure(String)

    public init(_ words: String) {
        switch words {
        case "passed": self = .passed
        case "failed": self = .failed
        case "cancelled": self = .cancelled
        case "timed out": self = .timedOut
        default: self = .infrastructure(words)
        }
    }

    public init(_ conclusion: CIConclusion) {
        switch conclusion {
        case .passed: self = .passed
        case .failed: self = .failed
        case .infrastructure(let reason): self = AttemptResult(reason)
        }
    }

    public var description: String {
        switch self {
        case .passed: "passed"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .timedOut: "timed out"
        case .infrastructure(let reason): reason
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// One CI job of a workflow: the baseline or one mutant, over all its attempts.
public struct Job: Codable, Equatable, Sendable {
    public var name: JobName
    public var status: JobStatus
    /// The current attempt; 0 before the first dispatch.
    public var attempt: Int
    public var deadline: Instant?
    public var retryAt: Instant?
    public var ciRunID: Int64?
    public var ciRunURL: String?
    /// Set once the job passed its deadline and the CI was asked about it (a webhook may have been lost).
    public var polling: Bool?
    /// The number of the tenant slot the current attempt's run holds, once it is dispatched.
    public var slot: Int?
    public var attempts: [Attempt]
    /// A baseline run's test outcomes, from its results artifact.
    public var tests: TestOutcomes?
    /// A baseline run's coverage, from its results artifact.
    public var coverage: LineCoverage?
    /// A mutant's settled status and killing tests.
    public var result: MutantResult?
    /// A mutant that failed only unstable tests got its one more run.
    public var rechecked: Bool?
    /// A batch's mutants, by id, in the order its run tests them.
    public var members: [Int]?
    /// The batch a mutant is in now (its status is then `batched`).
    public var batch: Int?

    public init(name: JobName) {
        self.name = name
        status = .pending
        attempt = 0
        attempts = []
    }

    /// The key of the current attempt.
    func key(in run: Run) -> JobKey { JobKey(tenant: run.tenant, workflow: run.id, job: name, attempt: attempt) }

    /// The next attempt starts now.
    mutating func beginAttempt(at now: Instant) {
        attempt += 1
        attempts.append(Attempt(number: attempt, dispatchedAt: now))
    }

    /// The attempt just begun is taken back (it never reached the CI).
    mutating func undoAttempt() {
        if attempts.last?.number == attempt { attempts.removeLast() }
        attempt -= 1
    }
}

extension JobName: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let name = JobName(Substring(text)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad job name"))
        }
        self = name
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
