import Foundation
import Workflow

#if canImport(FoundationXML)
import FoundationXML
#endif

/// JUnit XML, as pytest, jest-junit, Surefire, Gradle, gotestsum, nextest and `swift test` write
/// it: every `<testcase>` at any depth of nested suites. A test is `classname.name` (`name` alone
/// without a classname) and failed if it has a `<failure>` or an `<error>`; a skipped test is
/// neither passed nor failed.
public enum JUnitReport {
    public static func parse(_ data: Data, limits: EvidenceLimits = EvidenceLimits()) throws(EvidenceError)
        -> TestOutcomes
    {
        let reader = Reader(limits: limits)
        // Stopped at the test-case bound: what was read stands, marked truncated.
        let truncated = try XMLReport.parse(data, limit: limits.maxFileBytes, reader)
        return TestOutcomes(
            passed: reader.passed.subtracting(reader.failed), failed: reader.failed, truncated: truncated)
    }

    /// Reads test cases as they stream by; holds only the names.
    final class Reader: ReportReader {
        let limits: EvidenceLimits
        var passed: Set<String> = []
        var failed: Set<String> = []
        var cases = 0
        private var current: String?
        private var currentFailed = false
        private var currentSkipped = false

        init(limits: EvidenceLimits) { self.limits = limits }

        func start(_ element: String, attributes: [String: String]) -> Bool {
            switch element {
            case "testcase":
                guard cases < limits.maxTestCases else { return false }
                cases += 1
                current = name(attributes)
                (currentFailed, currentSkipped) = (false, false)
            case "failure", "error": currentFailed = current != nil
            case "skipped": currentSkipped = current != nil
            default: break
            }
            return true
        }

        func end(_ element: String) {
            guard element == "testcase", let test = current else { return }
            if currentFailed {
                failed.insert(test)
            } else if !currentSkipped {
                passed.insert(test)
            }
            current = nil
        }

        /// `classname.name`, or `name`; cut to the bound.
        func name(_ attributes: [String: String]) -> String {
            let name = attributes["name"] ?? ""
            let full = attributes["classname"].map { $0.isEmpty ? name : "\($0).\(name)" } ?? name
            return String(full.prefix(limits.maxNameLength))
        }
    }
}
