import Testing
import Workflow

struct MutantPlannerTests {
    @Test func `added lines are numbered as in the head version of the file`() {
        let patch = """
            @@ -10,4 +10,5 @@ func f() {
             let a = 1
            -let b = 2
            +let b = 3
            +let c = 4
             let d = 5
            @@ -40,2 +41,3 @@
             x()
            +y()
            \\ No newline at end of file
            """
        let added = Diff.addedLines(in: patch)
        #expect(added.map(\.number) == [11, 12, 42])
        #expect(added.map(\.text) == ["let b = 3", "let c = 4", "y()"])
    }

    @Test(arguments: [
        ("    if (count > 0) {", "App.java", MutationOperator.negatedCondition, "    if (!(count > 0)) {"),
        ("    if count > 0 {", "App.swift", .negatedCondition, "    if !(count > 0) {"),
        ("    if count > 0:", "app.py", .negatedCondition, "    if not (count > 0):"),
        ("let same = a == b", "a.swift", .equality, "let same = a != b"),
        ("const same = a === b;", "a.ts", .equality, "const same = a !== b;"),
        ("let small = a < b", "a.swift", .relational, "let small = a <= b"),
        ("let big = a >= b", "a.swift", .relational, "let big = a > b"),
        ("let both = a && b", "a.swift", .logical, "let both = a || b"),
        ("both = a and b", "a.py", .logical, "both = a or b"),
        ("let enabled = true", "a.swift", .booleanLiteral, "let enabled = false"),
        ("total += price", "a.swift", .compoundAssignment, "total -= price"),
        ("    i++;", "a.c", .increment, "    i--;"),
        ("let sum = a + b", "a.swift", .arithmetic, "let sum = a - b"),
        ("    return 0", "a.go", .returnValue, "    return 1"),
        ("    return total", "a.py", .returnValue, "    return None"),
        ("    audit.record(total)", "a.swift", .removedCall, "    "),
        ("    cache.clear()", "a.py", .removedCall, "    pass"),
    ])
    func `each operator mutates the line it fits`(line: String, path: String, op: MutationOperator, expected: String)
        throws
    {
        let mutants = MutantPlanner.plan([addedFile(path, [line])], limit: 10)
        let mutant = try #require(mutants.first)
        #expect(mutant.operator == op)
        #expect(mutant.replacement == expected)
        #expect(mutant.original == line)
    }

    @Test(arguments: [
        "", "    ", "// if a == b", "# if a == b", "/* a == b */", " * a == b",
        "print(\"a == b\")", "logger.info(\"total\", a + b)", "console.log(a === b)",
        "let name = \"a == b\"", "import Foundation",
    ])
    func `comments, blank lines, logging calls and strings are not mutated`(line: String) {
        let path = line.hasPrefix("#") ? "a.py" : "a.swift"
        #expect(MutantPlanner.plan([addedFile(path, [line])], limit: 10).isEmpty)
    }

    @Test(arguments: [
        "Tests/AppTests/RulesTests.swift", "src/rules_test.go", "tests/test_rules.py", "web/rules.spec.ts", "README.md",
        "Package.resolved",
    ])
    func `test files and non-source files are skipped`(path: String) {
        #expect(MutantPlanner.plan([addedFile(path, ["let ok = a == b"])], limit: 10).isEmpty)
    }

    @Test func `a line gets at most one mutant`() {
        let mutants = MutantPlanner.plan([addedFile("a.swift", ["if a == b && c > d || flag == true {"])], limit: 10)
        #expect(mutants.count == 1)
    }

    @Test func `removed files and files without a patch give no mutants`() {
        let removed = ChangedFile(path: "a.swift", status: "removed", patch: "@@ -1 +0,0 @@\n-let a = b == c")
        let binary = ChangedFile(path: "b.swift", status: "added", patch: nil)
        #expect(MutantPlanner.plan([removed, binary], limit: 10).isEmpty)
    }

    @Test func `the limit is spread across files and the order is deterministic`() {
        let files = [
            mutableFile("b.swift", count: 10), mutableFile("a.swift", count: 2), mutableFile("c.swift", count: 10),
        ]
        let plan = MutantPlanner.plan(files, limit: 8)
        #expect(plan.count == 8)
        #expect(plan.filter { $0.path == "a.swift" }.count == 2)
        #expect(plan.filter { $0.path == "b.swift" }.count == 3)
        #expect(plan.filter { $0.path == "c.swift" }.count == 3)
        #expect(plan.map(\.id) == Array(0..<8))
        #expect(plan.map(\.path) == plan.map(\.path).sorted())
        #expect(MutantPlanner.plan(files.reversed(), limit: 8) == plan)
    }

    @Test func `a limit of zero plans nothing`() {
        #expect(MutantPlanner.plan([mutableFile(count: 3)], limit: 0).isEmpty)
    }
}

struct IdentifierTests {
    @Test(arguments: ["acme", "a-b-c", "x1"])
    func `valid tenant ids are accepted`(id: String) { #expect(Identifier.isValidTenant(id)) }

    @Test(arguments: ["", "Acme", "a_b", "a/b", "..", String(repeating: "a", count: 64)])
    func `invalid tenant ids are refused`(id: String) { #expect(!Identifier.isValidTenant(id)) }

    @Test(arguments: ["..", ".hidden", "a/b", "A", "a b", "é", String(repeating: "a", count: 129)])
    func `ids that could escape their folder are refused`(id: String) { #expect(!Identifier.isValid(id)) }

    @Test func `a workflow id is derived from the repository, PR and head commit`() {
        let pr = PullRequest(owner: "Acme.Inc", repo: "Web_App", number: 12, headSHA: "ABCDEF0123456789", headRef: "x")
        let id = Identifier.workflow(for: pr)
        #expect(id == "acme-inc--web_app--pr12--abcdef012345")
        #expect(Identifier.isValid(id))
        #expect(id.hasPrefix(Identifier.prPrefix(for: pr)))
    }

    @Test(arguments: ["acme/w1/base/1", "acme/w1/m12/3"])
    func `job keys round-trip through their written form`(text: String) throws {
        let key = try #require(JobKey(parsing: text))
        #expect(key.description == text)
    }

    @Test(arguments: [
        "acme/w1/base", "acme/w1/x/1", "acme/w1/m1/0", "acme/../m1/1", "Acme/w1/m1/1", "acme/w1/m01/1", "a/b/c/d/e",
    ])
    func `malformed job keys are refused`(text: String) { #expect(JobKey(parsing: text) == nil) }
}

struct ReportTests {
    @Test(arguments: [(3, 1, 75), (2, 1, 66), (599, 401, 59), (1, 0, 100), (0, 4, 0)])
    func `the score is killed over killed plus survived, rounded down`(killed: Int, survived: Int, percent: Int) throws
    {
        let score = try #require(Report.score(killed: killed, survived: survived))
        #expect(Report.percent(score) == percent)
    }

    @Test func `no results gives no score`() { #expect(Report.score(killed: 0, survived: 0) == nil) }

    @Test func `a backoff doubles after each failed attempt`() {
        let settings = Settings(retryBaseSeconds: 30)
        #expect((1...4).map(settings.backoff(afterAttempt:)) == [30, 60, 120, 240])
    }
}
