import Foundation
import Workflow
import ZIPFoundation

/// A deterministic world of tests behind the simulators: what a run of the baseline or of a
/// mutant does to each test, and which added lines the tests run. Each changed file has two
/// tests of its own; one more test is flaky (it fails in the baseline's second run and in some
/// mutants' first runs) and one is broken (it always fails). About one added line in six is run
/// by no test.
public struct TestWorld: Sendable {
    public var files: [ChangedFile]
    /// Where the coverage report says the checkout was: its paths are absolute, as CI's are.
    public var checkout = "/home/runner/work/repo/repo/"

    public static let flakyTest = "CheckoutTests.test_completes_within_deadline"
    public static let brokenTest = "LegacyTests.test_currency_feed_is_reachable"

    public init(files: [ChangedFile]) { self.files = files }

    /// What one run gives: its conclusion (failed or not), and its results artifact's files.
    public struct RunOutcome: Sendable {
        public var failed: Bool
        public var files: [String: Data]
    }

    /// The run of `job` (a job key's words) with `mutant`, or the baseline without one.
    public func run(job: String, mutant: GitHubSimulator.MutantInput?) -> RunOutcome {
        let key = JobKey(parsing: job)
        var failing: Set<String> = [Self.brokenTest]
        if key?.job == .baselineRun(2) { failing.insert(Self.flakyTest) }
        if let mutant {
            let hash = Self.hash("\(mutant.path):\(mutant.line):\(mutant.operator)")
            if hash % 10 < 7 {
                failing.insert(Self.tests(of: mutant.path)[0])
                if hash % 3 == 0 { failing.insert(Self.tests(of: mutant.path)[1]) }
            }
            let attempt = key?.attempt ?? 1
            if hash % 4 == 0, attempt == 1 || hash % 8 == 0 { failing.insert(Self.flakyTest) }
        }
        var artifact = ["junit/tests.xml": junit(failing: failing)]
        if mutant == nil { artifact["coverage/lcov.info"] = lcov() }
        return RunOutcome(failed: !failing.isEmpty, files: artifact)
    }

    /// Every test of the world.
    public var tests: [String] {
        files.flatMap { Self.tests(of: $0.path) } + [Self.flakyTest, Self.brokenTest]
    }

    /// Whether no test runs `line` of `path`.
    public func isUncovered(_ path: String, line: Int) -> Bool { Self.hash("\(path):\(line)") % 6 == 0 }

    /// A file's two tests, named after it.
    static func tests(of path: String) -> [String] {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let base = name.split(separator: ".").first.map(String.init) ?? name
        let stem = base.prefix(1).uppercased() + base.dropFirst()
        return ["\(stem)Tests.test_\(stem.lowercased())_rules", "\(stem)Tests.test_\(stem.lowercased())_edges"]
    }

    /// JUnit XML as pytest writes it: one suite, a `<failure>` in each failing test.
    func junit(failing: Set<String>) -> Data {
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites><testsuite name=\"world\" "
        xml += "tests=\"\(tests.count)\" failures=\"\(failing.count)\">\n"
        for test in tests {
            let dot = test.firstIndex(of: ".") ?? test.endIndex
            let classname = test[..<dot]
            let name = test[test.index(after: dot)...]
            xml += "<testcase classname=\"\(classname)\" name=\"\(name)\" time=\"0.01\">"
            if failing.contains(test) { xml += "<failure message=\"assertion failed\">expected true</failure>" }
            xml += "</testcase>\n"
        }
        return Data((xml + "</testsuite></testsuites>\n").utf8)
    }

    /// lcov over every added line: hit unless the world says no test runs it.
    func lcov() -> Data {
        var text = "TN:\n"
        for file in files {
            let lines = Diff.addedLines(in: file.patch ?? "").map(\.number)
            text += "SF:\(checkout)\(file.path)\n"
            for line in lines { text += "DA:\(line),\(isUncovered(file.path, line: line) ? 0 : 3)\n" }
            text += "LF:\(lines.count)\nLH:\(lines.filter { !isUncovered(file.path, line: $0) }.count)\nend_of_record\n"
        }
        return Data(text.utf8)
    }

    /// FNV-1a: stable across runs and machines, unlike `Hasher`.
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// Zips files in memory, as GitHub Actions serves an artifact.
public enum ZipArchive {
    public static func zip(_ files: [String: Data]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for path in files.keys.sorted() {
            let data = files[path] ?? Data()
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<min(Int(position) + size, data.count))
            }
        }
        return archive.data ?? Data()
    }
}
