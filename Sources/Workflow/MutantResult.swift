/// How a mutant was settled: its status in the contract's words, the tests that killed it, and
/// what the judgement rests on when that is worth saying.
public struct MutantResult: Codable, Equatable, Sendable {
    public var status: MutantStatus
    /// The failing tests that passed in every baseline run, at most `Verdict.limit` of them.
    public var killedBy: [String]
    /// How many killing tests there were (`killedBy` may name fewer).
    public var killCount: Int
    public var note: String?

    public init(_ status: MutantStatus, killedBy: [String] = [], killCount: Int? = nil, note: String? = nil) {
        self.status = status
        self.killedBy = killedBy
        self.killCount = killCount ?? killedBy.count
        self.note = note
    }

    public static let onlyUnstableFailed = "only unstable tests failed"
    public static let ranPastTimeLimit = "the tests ran past the mutant's time limit"
}

extension Job {
    /// The mutant's status: as settled, or read from the job's state for documents written before
    /// statuses were kept.
    public var mutantStatus: MutantStatus {
        if let result { return result.status }
        switch status {
        case .failed: return .killed
        case .passed: return .survived
        case .notCovered: return .noCoverage
        case .errored:
            if attempts.last?.result == .timedOut { return .timeout }
            if case .infrastructure(let reason) = attempts.last?.result, reason == Run.didNotApply {
                return .compileError
            }
            return .runtimeError
        default: return .pending
        }
    }
}
