import Testing
import Workflow

/// Judging a mutant by its tests, against what the baseline runs taught.
struct VerdictTests {
    static let baseline = BaselineTests([
        TestOutcomes(passed: ["a", "b", "flaky"], failed: ["broken"]),
        TestOutcomes(passed: ["a", "b"], failed: ["broken", "flaky"]),
    ])

    @Test func `the baseline runs sort tests into reliable, flaky and broken`() {
        #expect(Self.baseline.reliable == ["a", "b"])
        #expect(Self.baseline.broken == ["broken"])
        #expect(Self.baseline.flaky == ["flaky"])
        #expect(Self.baseline.unstable == ["broken", "flaky"])
        #expect(Self.baseline.usable)
        #expect(!BaselineTests([TestOutcomes(failed: ["x"]), TestOutcomes(failed: ["x"])]).usable)
    }

    @Test(
        arguments: [
            (["a"], Verdict.killed(by: ["a"], count: 1)),
            (["b", "a", "flaky"], .killed(by: ["a", "b"], count: 2)),
            (["flaky"], .onlyUnstableFailed),
            (["flaky", "broken"], .onlyUnstableFailed),
            (["broken"], .survived),
            ([], .survived),
            (["new-test"], .survived),
        ] as [([String], Verdict)])
    func `a mutant is killed only by tests that passed in every baseline run`(failed: [String], verdict: Verdict) {
        let outcomes = TestOutcomes(passed: Self.baseline.reliable.subtracting(failed), failed: Set(failed))
        #expect(Verdict.judge(outcomes, baseline: Self.baseline) == verdict)
    }

    @Test func `killing tests are kept to twenty by name, with their count`() {
        let tests = (0..<30).map { "t\($0)" }
        let baseline = BaselineTests([TestOutcomes(passed: Set(tests))])
        let verdict = Verdict.judge(TestOutcomes(failed: Set(tests)), baseline: baseline)
        #expect(verdict == .killed(by: Array(tests.sorted().prefix(20)), count: 30))
    }

    @Test func `scores count Killed and Timeout as detected, leave errors and Ignored out`() {
        let statuses: [MutantStatus] = [
            .killed, .timeout, .survived, .noCoverage, .compileError, .runtimeError, .ignored,
        ]
        #expect(MutationScore.overall(statuses) == 0.5)
        #expect(MutationScore.covered(statuses) == 2.0 / 3.0)
        #expect(MutationScore.overall([.compileError, .ignored]) == nil)
    }
}
