/// A workflow as mutation-testing-report-schema JSON (Stryker's format, `schemaVersion` "2"),
/// which the standard HTML viewer and the Stryker Dashboard read.
public struct MutationTestingReport: Codable, Equatable, Sendable {
    public struct Thresholds: Codable, Equatable, Sendable {
        public var high: Int
        public var low: Int
    }
    public struct Position: Codable, Equatable, Sendable {
        public var line: Int
        public var column: Int
    }
    public struct Location: Codable, Equatable, Sendable {
        public var start: Position
        public var end: Position
    }
    public struct MutantEntry: Codable, Equatable, Sendable {
        public var id: String
        public var mutatorName: String
        public var replacement: String
        public var location: Location
        public var status: MutantStatus
        public var statusReason: String?
        public var killedBy: [String]?
        public var testsCompleted: Int?
    }
    public struct FileEntry: Codable, Equatable, Sendable {
        public var language: String
        public var source: String
        public var mutants: [MutantEntry]
    }
    public struct TestEntry: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
    }
    public struct TestFileEntry: Codable, Equatable, Sendable {
        public var tests: [TestEntry]
    }
    public struct Framework: Codable, Equatable, Sendable {
        public var name: String
    }

    public var schemaVersion: String
    public var thresholds: Thresholds
    public var files: [String: FileEntry]
    public var testFiles: [String: TestFileEntry]?
    public var framework: Framework

    /// The report of `run`, with each mutated file's text at the head commit from `sources` (a
    /// file missing there has an empty source).
    public init(_ run: Run, sources: [String: String]) {
        schemaVersion = "2"
        let low = min(100, max(0, Int((run.settings.threshold * 100).rounded())))
        thresholds = Thresholds(high: min(100, low + 20), low: low)
        framework = Framework(name: "tinybug")
        var files: [String: FileEntry] = [:]
        for (mutant, job) in zip(run.plan ?? [], run.mutants) {
            let entry = Self.entry(mutant, job)
            files[
                mutant.path,
                default: FileEntry(
                    language: Self.language(mutant.path), source: sources[mutant.path] ?? "", mutants: [])
            ].mutants.append(entry)
        }
        self.files = files
        testFiles = run.baselineTests.map(Self.testFiles)
    }

    static func entry(_ mutant: Mutant, _ job: Job) -> MutantEntry {
        let status = job.mutantStatus
        let killers = job.result?.killedBy ?? []
        return MutantEntry(
            id: String(mutant.id), mutatorName: mutant.operator.rawValue,
            replacement: mutant.replacement.trimmingWhitespace, location: location(mutant), status: status,
            statusReason: job.result?.note, killedBy: status == .killed && !killers.isEmpty ? killers : nil,
            testsCompleted: nil)
    }

    /// The changed line, from its first non-blank character to its end (columns from 1, end
    /// exclusive).
    static func location(_ mutant: Mutant) -> Location {
        let indent = mutant.original.prefix { $0 == " " || $0 == "\t" }.count
        let trailing = mutant.original.reversed().prefix { $0 == " " || $0 == "\t" || $0 == "\r" }.count
        let end = max(indent + 1, mutant.original.count - trailing + 1)
        return Location(
            start: Position(line: mutant.line, column: indent + 1), end: Position(line: mutant.line, column: end))
    }

    /// Tests grouped by their JUnit class (`classname.name`): each test's id is its name, which
    /// `killedBy` refers to.
    static func testFiles(_ tests: BaselineTests) -> [String: TestFileEntry] {
        let all = tests.reliable.union(tests.unstable)
        var grouped: [String: [TestEntry]] = [:]
        for test in all.sorted() {
            let group = test.lastIndex(of: ".").map { String(test[..<$0]) } ?? ""
            grouped[group, default: []].append(TestEntry(id: test, name: test))
        }
        return grouped.mapValues(TestFileEntry.init)
    }

    /// The language name the viewer highlights by, from the file's extension.
    static func language(_ path: String) -> String {
        let ext = path.split(separator: "/").last?.split(separator: ".").last.map { $0.lowercased() } ?? ""
        let names = [
            "js": "javascript", "jsx": "javascript", "mjs": "javascript", "cjs": "javascript", "ts": "typescript",
            "tsx": "typescript", "py": "python", "rb": "ruby", "go": "go", "rs": "rust", "swift": "swift",
            "java": "java", "kt": "kotlin", "scala": "scala", "cs": "csharp", "php": "php", "c": "c", "h": "c",
            "cc": "cpp", "cpp": "cpp", "cxx": "cpp", "hpp": "cpp", "m": "objectivec", "mm": "objectivec",
            "dart": "dart",
        ]
        return names[ext] ?? ext
    }
}
