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

    public init(
        maxMutants: Int = 20, maxConcurrentJobs: Int = 4, jobTimeoutSeconds: Int64 = 3600, maxAttempts: Int = 3,
        retryBaseSeconds: Int64 = 30, threshold: Double = 0.6
    ) {
        self.maxMutants = max(0, maxMutants)
        self.maxConcurrentJobs = max(1, maxConcurrentJobs)
        self.jobTimeoutSeconds = max(1, jobTimeoutSeconds)
        self.maxAttempts = max(1, maxAttempts)
        self.retryBaseSeconds = max(0, retryBaseSeconds)
        self.threshold = threshold
    }

    /// Seconds to wait before dispatching attempt `failedAttempt + 1`.
    public func backoff(afterAttempt failedAttempt: Int) -> Int64 {
        let exponent = min(max(failedAttempt - 1, 0), 20)
        return retryBaseSeconds << Int64(exponent)
    }
}
