/// Judging the baseline from its runs: go on (with what they taught), or end inconclusive.
extension Run {
    enum BaselineJudgement: Equatable {
        /// A run is still going.
        case waiting
        /// No mutant can be judged: the outcome's words and the report's reason.
        case inconclusive(String, String)
        /// The measurement goes on: the tests' lessons (nil without per-test results) and the
        /// runs' coverage, if they brought any.
        case ready(BaselineTests?, LineCoverage?)
    }

    /// A red run counts only when its results name failing tests: those are then unstable or
    /// broken, and the measurement goes on with the tests that passed every time. A red run
    /// without them is today's rule: inconclusive.
    func judgeBaseline() -> BaselineJudgement {
        let runs = baselines
        guard runs.allSatisfy(\.status.isFinal) else { return .waiting }
        let finished = runs.filter { $0.status == .passed || $0.status == .failed }
        guard !finished.isEmpty else {
            return .inconclusive("the baseline errored", "the baseline CI run never completed")
        }
        let coverage = finished.compactMap(\.coverage).reduce(nil) { merged, next in merged?.merged(with: next) ?? next
        }
        let unexplained = finished.contains { $0.status == .failed && ($0.tests?.failed.isEmpty ?? true) }
        if unexplained {
            return .inconclusive(
                "the baseline is red", "the tests fail without any mutant, so no mutant can be judged")
        }
        let outcomes = finished.compactMap(\.tests)
        guard !outcomes.isEmpty else { return .ready(nil, coverage) }
        let tests = BaselineTests(outcomes)
        guard tests.usable else {
            // Results that name no test passing every time: none can kill. Green, they say nothing.
            guard tests.unstable.isEmpty else {
                return .inconclusive(
                    "the baseline is red", "no test passed in every baseline run, so no mutant can be judged")
            }
            return .ready(nil, coverage)
        }
        return .ready(tests, coverage)
    }
}
