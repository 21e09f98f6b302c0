import Egress
import Foundation
import Testing
import Workflow

/// The reference CI configs and the mutant-applying script both of them use, run on sample files.
struct ReferenceCITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("infra/ci/apply-mutant.py").path

    /// A folder holding `src/app.swift` with three lines.
    func sample() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-apply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("src"), withIntermediateDirectories: true)
        try Data("let a = 1\nif a == b {\n}\n".utf8).write(to: folder.appendingPathComponent("src/app.swift"))
        return folder
    }

    func run(_ arguments: [String], in folder: URL, mutant: String = "") throws -> (Int32, String) {
        try python(Self.script, arguments, in: folder, environment: ["TINYBUG_MUTANT": mutant])
    }

    /// Runs a reference script with python3 in `folder`, given `environment` and PATH, to its end:
    /// its exit status and what it wrote (stdout and stderr together).
    func python(_ script: String, _ arguments: [String] = [], in folder: URL, environment: [String: String]) throws
        -> (Int32, String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        process.currentDirectoryURL = folder
        process.environment = environment.merging([
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        ]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    func encoded(
        path: String = "src/app.swift", line: Int = 2, original: String = "if a == b {",
        replacement: String = "if a != b {"
    ) -> String {
        DispatchInputs.encode(
            Mutant(id: 0, path: path, line: line, original: original, replacement: replacement, operator: .equality))
    }

    func contents(_ folder: URL) throws -> String {
        String(decoding: try Data(contentsOf: folder.appendingPathComponent("src/app.swift")), as: UTF8.self)
    }

    @Test func `a mutant whose line still matches is applied`() throws {
        let folder = try sample()
        let (status, output) = try run([], in: folder, mutant: encoded())
        #expect(status == 0, "\(output)")
        #expect(try contents(folder) == "let a = 1\nif a != b {\n}\n")
    }

    @Test func `a mutant whose line moved on is refused and changes nothing`() throws {
        let folder = try sample()
        let (status, output) = try run([], in: folder, mutant: encoded(line: 1))
        #expect(status == 3)
        #expect(output.contains("no longer reads"))
        #expect(try contents(folder) == "let a = 1\nif a == b {\n}\n")
    }

    @Test func `check mode only checks`() throws {
        let folder = try sample()
        #expect(try run(["--check"], in: folder, mutant: encoded()).0 == 0)
        #expect(try contents(folder) == "let a = 1\nif a == b {\n}\n")
        #expect(try run(["--check"], in: folder, mutant: encoded(original: "if b == a {")).0 == 3)
    }

    @Test func `the baseline applies nothing`() throws {
        let folder = try sample()
        #expect(try run([], in: folder).0 == 0)
        #expect(try contents(folder) == "let a = 1\nif a == b {\n}\n")
    }

    @Test(arguments: ["../outside.swift", "/etc/passwd", "src/../../x.swift"])
    func `a path outside the repository is refused`(path: String) throws {
        let folder = try sample()
        #expect(try run([], in: folder, mutant: encoded(path: path)).0 == 2)
    }

    @Test(arguments: ["not base64!", "aGVsbG8="])
    func `input that is not a mutant is refused`(input: String) throws {
        #expect(try run([], in: try sample(), mutant: input).0 == 2)
    }

    @Test func `a missing file or line does not apply`() throws {
        let folder = try sample()
        #expect(try run([], in: folder, mutant: encoded(path: "src/none.swift")).0 == 3)
        #expect(try run([], in: folder, mutant: encoded(line: 40)).0 == 3)
    }

    @Test func `the GitHub workflow carries the job key back and names the steps Tinybug reads`() throws {
        let text = String(
            decoding: try Data(contentsOf: Self.root.appendingPathComponent("infra/ci/github/tinybug-mutant.yml")),
            as: UTF8.self)
        #expect(text.contains("run-name: tinybug ${{ inputs.tinybug_job }}"))
        for input in DispatchInputs.inputs(
            job: JobKey(tenant: "a", workflow: "w", job: .baseline, attempt: 1),
            pr: PullRequest(owner: "o", repo: "r", number: 1, headSHA: "abc", headRef: "x"), mutant: nil
        ).keys {
            #expect(text.contains("\(input):"), "input \(input) is not declared")
        }
        #expect(text.contains("- name: \(CIProvider.githubActions.applyStep)"))
        #expect(text.contains("workflow_dispatch:"))
        #expect(text.contains("apply-mutant.py"))
    }

    @Test func `the Buildkite pipeline names the step Tinybug reads`() throws {
        let text = String(
            decoding: try Data(contentsOf: Self.root.appendingPathComponent("infra/ci/buildkite/pipeline.yml")),
            as: UTF8.self)
        #expect(text.contains("key: \(CIProvider.buildkite.applyStep)"))
        #expect(text.contains("depends_on: \(CIProvider.buildkite.applyStep)"))
        #expect(text.contains("apply-mutant.py --check"))
        #expect(text.contains("tinybug-tests.py"))
        #expect(text.contains("artifact_paths: \"\(CIContract.Results.artifact)/**/*\""))
    }

    @Test func `the GitHub workflow uploads the results artifact even when the tests fail`() throws {
        let text = String(
            decoding: try Data(contentsOf: Self.root.appendingPathComponent("infra/ci/github/tinybug-mutant.yml")),
            as: UTF8.self)
        let upload = try #require(text.range(of: "actions/upload-artifact"))
        #expect(text[..<upload.lowerBound].hasSuffix("if: always()\n        uses: "))
        #expect(text.contains("name: \(CIContract.Results.artifact)"))
        #expect(text.contains("tinybug-tests.py"))
    }

    @Test func `a Python mutant that would not parse is refused, and the file is unchanged`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-parse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("src"), withIntermediateDirectories: true)
        let text = "def f(a):\n    return (a +\n            1)\n"
        try Data(text.utf8).write(to: folder.appendingPathComponent("src/f.py"))
        let broken = encoded(path: "src/f.py", line: 2, original: "    return (a +", replacement: "    return None")
        let (status, output) = try run([], in: folder, mutant: broken)
        #expect(status == 3)
        #expect(output.contains("would not parse"))
        #expect(
            String(decoding: try Data(contentsOf: folder.appendingPathComponent("src/f.py")), as: UTF8.self) == text)
        let (checked, _) = try run(["--check"], in: folder, mutant: broken)
        #expect(checked == 3)
        let fine = encoded(path: "src/f.py", line: 2, original: "    return (a +", replacement: "    return (a -")
        #expect(try run([], in: folder, mutant: fine).0 == 0)
    }

    @Test func `a mutant's tests past its time limit are stopped, exit 124 and say timeout`() throws {
        let folder = try sample()
        let mutant = Data(
            #"{"path":"src/app.swift","line":2,"original":"x","replacement":"y","operator":"equality","timeout":1}"#
                .utf8
        )
        .base64EncodedString()
        #expect(try gather("sleep 30", in: folder, mutant: mutant) == 124)
        let outcome = try Data(contentsOf: folder.appendingPathComponent("tinybug-results/outcome.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: outcome) as? [String: Any])
        #expect(json["tests"] as? String == "timeout")
        #expect(try gather("exit 0", in: try sample()) == 0)
    }

    static let results = root.appendingPathComponent("infra/ci/tinybug-tests.py").path

    /// Runs the results script in `folder` with `command` as the test command.
    func gather(_ command: String, in folder: URL, mutant: String = "") throws -> Int32 {
        try python(Self.results, in: folder, environment: ["TINYBUG_MUTANT": mutant, "TINYBUG_TEST_COMMAND": command])
            .0
    }

    func listing(_ folder: URL, _ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(sub).path)) ?? []).sorted()
    }

    @Test func `the results script keeps the test command's exit code and gathers what it wrote`() throws {
        let folder = try sample()
        let writes =
            "echo '<testsuite/>' > $TINYBUG_JUNIT_DIR/unit.xml; echo 'SF:a\nend_of_record' > $TINYBUG_COVERAGE_DIR/lcov.info; exit 1"
        #expect(try gather(writes, in: folder) == 1)
        #expect(listing(folder, "tinybug-results/junit") == ["unit.xml"])
        #expect(listing(folder, "tinybug-results/coverage") == ["lcov.info"])
    }

    @Test func `the results script finds the usual tools' reports, and coverage only on the baseline`() throws {
        let folder = try sample()
        let surefire = "mkdir -p target/surefire-reports && echo '<testsuite/>' > target/surefire-reports/TEST-A.xml"
        let lcov = "echo 'SF:a' > lcov.info"
        #expect(try gather("\(surefire) && \(lcov)", in: folder, mutant: encoded()) == 0)
        #expect(listing(folder, "tinybug-results/junit") == ["000-target_surefire-reports_TEST-A.xml"])
        #expect(listing(folder, "tinybug-results/coverage").isEmpty)
        let baseline = try sample()
        #expect(try gather("\(surefire) && \(lcov)", in: baseline) == 0)
        #expect(listing(baseline, "tinybug-results/coverage") == ["lcov.info"])
    }

    static let batchScript = root.appendingPathComponent("infra/ci/tinybug-batch.py").path

    /// Runs the batch script in `folder` on `mutants`, with `command` as the test command.
    func batch(_ mutants: [Mutant], command: String, timeout: String = "", in folder: URL) throws -> (Int32, String) {
        let inputs = DispatchInputs.inputs(
            job: JobKey(tenant: "a", workflow: "w", job: .batch(0), attempt: 1),
            pr: PullRequest(owner: "o", repo: "r", number: 1, headSHA: "abc", headRef: "x"), mutant: nil,
            batch: mutants)
        return try python(
            Self.batchScript, in: folder,
            environment: [
                "TINYBUG_MUTANTS": inputs[CIContract.Input.mutants] ?? "", "TINYBUG_MUTANT_TIMEOUT": timeout,
                "TINYBUG_TEST_COMMAND": command,
            ])
    }

    func outcome(_ folder: URL, _ id: Int) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent("tinybug-results/mutants/\(id)/outcome.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func `the batch script tests each mutant in turn on a clean tree and writes each one's outcome`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("src"), withIntermediateDirectories: true)
        let text = "def limit(a):\n    if a > 3:\n        return 1\n    return (a +\n            2)\n"
        try Data(text.utf8).write(to: folder.appendingPathComponent("src/f.py"))
        func mutant(_ id: Int, _ line: Int, _ original: String, _ replacement: String) -> Mutant {
            Mutant(
                id: id, path: "src/f.py", line: line, original: original, replacement: replacement,
                operator: .relational)
        }
        let mutants = [
            mutant(3, 2, "    if a > 3:", "    if a >= 3:"),  // the tests catch it
            mutant(5, 3, "        return 1", "        return 2"),  // they do not
            mutant(7, 4, "    return (a +", "    return None"),  // it would not parse
            mutant(8, 2, "    if a < 3:", "    if a <= 3:"),  // the line reads otherwise
            mutant(9, 5, "            2)", "            3)"),  // its tests hang
        ]
        // The "tests": fail when the file holds `>=`, hang when it holds `3)`, and write a JUnit report.
        let command =
            "grep -q '3)' src/f.py && sleep 30; echo '<testsuite><testcase name=\"t\"/></testsuite>' > $TINYBUG_JUNIT_DIR/t.xml; ! grep -q '>=' src/f.py"
        let (status, output) = try batch(mutants, command: command, timeout: "2", in: folder)
        #expect(status == 0, "\(output)")
        #expect(try outcome(folder, 3)["tests"] as? String == "failed")
        #expect(try outcome(folder, 5)["tests"] as? String == "passed")
        #expect(try outcome(folder, 7)["applied"] as? Bool == false)
        #expect(try outcome(folder, 8)["applied"] as? Bool == false)
        #expect(try outcome(folder, 9)["tests"] as? String == "timeout")
        #expect(listing(folder, "tinybug-results/mutants/3/junit") == ["t.xml"])
        // Each mutant was tested alone, and the tree is as it was checked out.
        #expect(
            String(decoding: try Data(contentsOf: folder.appendingPathComponent("src/f.py")), as: UTF8.self) == text)
        #expect(try batch(mutants, command: "true", in: folder).0 == 0)
        #expect(try outcome(folder, 9)["tests"] as? String == "passed")
    }

    @Test func `the GitHub workflow and the Buildkite pipeline run the batch script for a batch`() throws {
        let workflow = String(
            decoding: try Data(contentsOf: Self.root.appendingPathComponent("infra/ci/github/tinybug-mutant.yml")),
            as: UTF8.self)
        #expect(
            workflow.contains("\(CIContract.Input.mutants):") && workflow.contains("\(CIContract.Input.mutantTimeout):")
        )
        #expect(workflow.contains("tinybug-batch.py"))
        let pipeline = String(
            decoding: try Data(contentsOf: Self.root.appendingPathComponent("infra/ci/buildkite/pipeline.yml")),
            as: UTF8.self)
        #expect(pipeline.contains("TINYBUG_MUTANTS") && pipeline.contains("tinybug-batch.py"))
    }
}
