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
        do {
            try XMLReport.parse(data, limit: limits.maxFileBytes, reader)
        } catch .malformed where reader.stoppedAtBound {
            // Stopped on purpose at the test-case bound: what was read stands, marked truncated.
        }
        return TestOutcomes(
            passed: reader.passed.subtracting(reader.failed), failed: reader.failed, truncated: reader.stoppedAtBound)
    }

    /// Reads test cases as they stream by; holds only the names.
    final class Reader: NSObject, BalancedReader {
        var depth = 0
        var elements = 0
        let limits: EvidenceLimits
        var passed: Set<String> = []
        var failed: Set<String> = []
        var cases = 0
        var stoppedAtBound = false
        private var current: String?
        private var currentFailed = false
        private var currentSkipped = false

        init(limits: EvidenceLimits) { self.limits = limits }

        func parser(
            _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            depth += 1
            elements += 1
            switch element {
            case "testcase":
                guard cases < limits.maxTestCases else {
                    stoppedAtBound = true
                    parser.abortParsing()
                    return
                }
                cases += 1
                current = name(attributes)
                (currentFailed, currentSkipped) = (false, false)
            case "failure", "error": currentFailed = current != nil
            case "skipped": currentSkipped = current != nil
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
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
