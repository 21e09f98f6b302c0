/// The limits a tenant sets on its measurements, copied into each workflow when it starts so a
/// change to the tenants file never alters a measurement half-way.
public struct Settings: Codable, Equatable, Sendable {
    public var maxMutants: Int
    public var maxConcurrentJobs: Int
    public var jobTimeoutSeconds: Int64
    public var maxAttempts: Int
    /// The first retry waits this long; each later one twice as long as the one before.
    public var retryBaseSeconds: Int64
    /// The score at or above which the check run succeeds.
    public var threshold: Double
    /// How many times the baseline runs, to learn which tests are unstable (1 turns it off).
    public var baselineRuns: Int
    /// How many mutants one CI run tests, one after the other (1: a run per mutant).
    public var mutantsPerRun: Int

    /// Documents written before `baselineRuns` existed ran the baseline once.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            maxMutants: try container.decode(Int.self, forKey: .maxMutants),
            maxConcurrentJobs: try container.decode(Int.self, forKey: .maxConcurrentJobs),
            jobTimeoutSeconds: try container.decode(Int64.self, forKey: .jobTimeoutSeconds),
            maxAttempts: try container.decode(Int.self, forKey: .maxAttempts),
            retryBaseSeconds: try container.decode(Int64.self, forKey: .retryBaseSeconds),
            threshold: try container.decode(Double.self, forKey: .threshold),
            baselineRuns: try container.decodeIfPresent(Int.self, forKey: .baselineRuns) ?? 1,
            mutantsPerRun: try container.decodeIfPresent(Int.self, forKey: .mutantsPerRun) ?? 1)
    }

    public init(
        maxMutants: Int = 20, maxConcurrentJobs: Int = 4, jobTimeoutSeconds: Int64 = 3600, maxAttempts: Int = 3,
        retryBaseSeconds: Int64 = 30, threshold: Double = 0.6, baselineRuns: Int = 2, mutantsPerRun: Int = 1
    ) {
        self.maxMutants = max(0, maxMutants)
        self.maxConcurrentJobs = max(1, maxConcurrentJobs)
        self.jobTimeoutSeconds = max(1, jobTimeoutSeconds)
        self.maxAttempts = max(1, maxAttempts)
        self.retryBaseSeconds = max(0, retryBaseSeconds)
        self.threshold = threshold
        self.baselineRuns = min(max(1, baselineRuns), Self.maxBaselineRuns)
        self.mutantsPerRun = min(max(1, mutantsPerRun), Self.maxMutantsPerRun)
    }

    /// More baseline runs than this teach little and cost a slot each.
    public static let maxBaselineRuns = 5
    /// More mutants than this in one CI run would make it as long as the job timeout allows.
    public static let maxMutantsPerRun = 20

    /// Seconds to wait before dispatching attempt `failedAttempt + 1`.
    public func backoff(afterAttempt failedAttempt: Int) -> Int64 {
        let exponent = min(max(failedAttempt - 1, 0), 20)
        return retryBaseSeconds << Int64(exponent)
    }
}
