import Foundation
import Ingress
import Testing
import Workflow
import ZIPFoundation

/// The results artifact's zip and files: what is read, and the bounds that hold whatever the
/// archive declares.
struct ResultsArtifactTests {
    static func zip(_ files: [String: Data]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) {
                position, size in data.subdata(in: Int(position)..<min(Int(position) + size, data.count))
            }
        }
        return try #require(archive.data)
    }

    static let junit = Data(
        """
        <testsuites><testsuite name="s"><testcase classname="Cart" name="adds"/>
        <testcase classname="Cart" name="totals"><failure message="no"/></testcase></testsuite></testsuites>
        """.utf8)

    @Test func `only junit and coverage files are taken from the zip, without the artifact's folder`() throws {
        let zip = try Self.zip([
            "junit/a.xml": Self.junit,
            "coverage/lcov.info": Data("SF:/w/r/Sources/A.swift\nDA:3,1\nDA:4,0\nend_of_record\n".utf8),
            "logs/huge.txt": Data(count: 1000), "tinybug-results/junit/b.xml": Self.junit,
        ])
        let files = try ResultsArtifact.unzip(zip)
        #expect(Set(files.keys) == ["junit/a.xml", "coverage/lcov.info", "junit/b.xml"])
        let results = ResultsArtifact.read(files, paths: ["Sources/A.swift"])
        #expect(results.tests?.failed == ["Cart.totals"])
        #expect(results.tests?.passed == ["Cart.adds"])
        #expect(results.coverage?.covered == ["Sources/A.swift": [3]])
        #expect(results.coverage?.known == ["Sources/A.swift": [3, 4]])
    }

    @Test
    func
        `a batch's artifact gives each mutant its own outcome and tests; a folder without a readable outcome gives none`()
        throws
    {
        let zip = try Self.zip([
            "mutants/0/outcome.json": Data(#"{"applied": true, "tests": "failed", "seconds": 4.5}"#.utf8),
            "mutants/0/junit/a.xml": Self.junit,
            "mutants/1/outcome.json": Data(#"{"applied": false, "tests": "error"}"#.utf8),
            "mutants/2/outcome.json": Data("{not json".utf8),
            "mutants/3/junit/a.xml": Self.junit,
            "mutants/4/outcome.json": Data(#"{"applied": true, "tests": "exploded"}"#.utf8),
            "mutants/05/outcome.json": Data(#"{"applied": true, "tests": "passed"}"#.utf8),
            "mutants/6/coverage/lcov.info": Data("SF:a\nDA:1,1\nend_of_record\n".utf8),
            "mutants/7/outcome.json": Data(#"{"applied": true, "tests": "timeout", "seconds": 61}"#.utf8),
        ])
        let files = try ResultsArtifact.unzip(zip)
        #expect(!files.keys.contains("mutants/6/coverage/lcov.info"))
        let results = ResultsArtifact.read(files, paths: nil)
        let members = try #require(results.members)
        #expect(Set(members.keys) == [0, 1, 7])
        #expect(members[0]?.tests == .failed && members[0]?.outcomes?.failed == ["Cart.totals"])
        #expect(members[0]?.seconds == 4.5)
        #expect(members[1]?.applied == false)
        #expect(members[7]?.tests == .timeout && members[7]?.outcomes == nil)
        #expect(results.tests == nil && results.coverage == nil)
    }

    @Test func `data that is not a zip is refused with a reason`() {
        #expect(throws: EvidenceError.self) { try ResultsArtifact.unzip(Data("PK not really".utf8)) }
        #expect(throws: EvidenceError.self) { try ResultsArtifact.unzip(Data()) }
    }

    /// Sets every declared uncompressed size of a one-entry zip to `size`, as a zip bomb lies.
    static func lying(_ zip: Data, size: UInt32) -> Data {
        var bytes = [UInt8](zip)
        func patch(signature: [UInt8], offset: Int) {
            var index = 0
            while index + offset + 4 <= bytes.count {
                if Array(bytes[index..<index + 4]) == signature {
                    for byte in 0..<4 { bytes[index + offset + byte] = UInt8((size >> (8 * UInt32(byte))) & 0xff) }
                }
                index += 1
            }
        }
        patch(signature: [0x50, 0x4b, 0x03, 0x04], offset: 22)
        patch(signature: [0x50, 0x4b, 0x01, 0x02], offset: 24)
        return Data(bytes)
    }

    @Test func `a zip bomb that declares a small size stops at the bound, counted as it inflates`() throws {
        let zip = try Self.zip(["junit/bomb.xml": Data(repeating: 0x20, count: 3 * 1024 * 1024)])
        let liar = Self.lying(zip, size: 100)
        #expect(zip.count < 64 * 1024)
        #expect(throws: EvidenceError.tooLarge(1024 * 1024)) { try ResultsArtifact.unzip(liar, limit: 1024 * 1024) }
        #expect(throws: EvidenceError.tooLarge(1024 * 1024)) { try ResultsArtifact.unzip(zip, limit: 1024 * 1024) }
    }

    @Test func `an unreadable JUnit file drops the tests, an unreadable coverage file the coverage`() {
        let entities = Data("<!DOCTYPE x [<!ENTITY a \"b\">]><testsuite/>".utf8)
        let results = ResultsArtifact.read(
            ["junit/a.xml": Self.junit, "junit/b.xml": entities, "coverage/c.xml": Data("<coverage".utf8)], paths: nil)
        #expect(results.tests == nil)
        #expect(results.coverage == nil)
        #expect(results.note?.contains("junit/b.xml") == true)
        #expect(results.note?.contains("coverage/c.xml") == true)
        let none = ResultsArtifact.read([:], paths: nil)
        #expect(none.tests == nil && none.note == "the artifact has no junit/*.xml")
    }

    @Test func `test cases are read up to the bound across all of a run's files`() {
        var limits = EvidenceLimits()
        limits.maxTestCases = 3
        let many = Data(
            ("<testsuite>" + (0..<5).map { "<testcase name=\"t\($0)\"/>" }.joined() + "</testsuite>").utf8)
        let results = ResultsArtifact.read(["junit/a.xml": many, "junit/b.xml": many], paths: nil, limits: limits)
        #expect(results.tests?.truncated == true)
        #expect(results.tests?.passed.count == 3)
    }

    @Test func `coverage of paths outside the repository is dropped`() {
        let lcov = Data(
            "SF:../../etc/passwd\nDA:1,1\nend_of_record\nSF:/elsewhere/Other.swift\nDA:2,1\nend_of_record\n".utf8)
        let results = ResultsArtifact.read(
            ["junit/a.xml": Self.junit, "coverage/lcov.info": lcov], paths: ["Sources/A.swift"])
        #expect(results.coverage?.known.isEmpty == true)
    }
}

/// Inputs the fuzzer found crashing a reader, kept so they never do again.
struct ResultsArtifactCrashTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/fuzz/artifacts")

    @Test(arguments: ["crash-range.zip"])
    func `a truncated zip gives nothing to read, not a crash in the zip library`(name: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(name))
        let files = try? ResultsArtifact.unzip(data)
        #expect(files?.isEmpty ?? true)
    }
}

struct ResultsOutcomeTests {
    @Test func `outcome.json says when the tests ran past the limit, and how long the command took`() {
        let junit = Data(
            #"<testsuite><testcase name="a" time="1.5"/><testcase name="b" time="2"/><testcase name="c" time="-3"/></testsuite>"#
                .utf8)
        let results = ResultsArtifact.read(
            ["junit/a.xml": junit, "outcome.json": Data(#"{"applied":true,"tests":"timeout","seconds":61}"#.utf8)],
            paths: nil)
        #expect(results.timedOut == true)
        #expect(results.tests?.seconds == 61)
        let passed = ResultsArtifact.read(
            ["junit/a.xml": junit, "outcome.json": Data(#"{"tests":"failed"}"#.utf8)], paths: nil)
        #expect(passed.timedOut == false)
        #expect(ResultsArtifact.read(["junit/a.xml": junit], paths: nil).timedOut == nil)
        #expect(ResultsArtifact.isRead("outcome.json") && ResultsArtifact.isRead("tinybug-results/outcome.json"))
    }
}
