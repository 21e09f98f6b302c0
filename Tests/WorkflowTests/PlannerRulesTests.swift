import Testing
import Workflow

/// The planner's rules for mutants worth a reviewer's time: nothing inside strings or comments
/// that span lines, nothing that cannot compile, no arid lines.
struct PlannerRulesTests {
    /// The planned mutants of `lines` added as lines 1…n of `path`, by line: `line → replacement`.
    func planned(_ path: String, _ lines: [String], source: String? = nil) -> [Int: String] {
        var file = addedFile(path, lines)
        file.source = source
        let mutants = MutantPlanner.plan([file], limit: 100)
        return Dictionary(uniqueKeysWithValues: mutants.map { ($0.line, $0.replacement) })
    }

    @Test func `lines inside a docstring are never mutated; the code around it is`() {
        let lines = [
            "def ready(a, b):",
            "    \"\"\"Return true if a or b is set.",
            "",
            "    - a == b is fine, false otherwise",
            "    >>> ready(1, 2) and True",
            "    \"\"\"",
            "    return a == b",
        ]
        let mutants = planned("pkg/ready.py", lines)
        #expect(Set(mutants.keys) == [7])
        #expect(mutants[7] == "    return a != b")
    }

    @Test func `block comments, JSDoc and template literals are followed across lines`() {
        let lines = [
            "/**", " * Returns a == b or", " * true when x > 0", " */", "const msg = `total", "a + b == c`;",
            "const same = a === b;",
        ]
        #expect(Set(planned("src/same.js", lines).keys) == [7])
        let swift = ["let text = \"\"\"", "  a == b", "  \"\"\"", "let same = a == b"]
        #expect(Set(planned("Sources/A.swift", swift).keys) == [4])
    }

    @Test func `a hunk that may start inside a docstring is read from the file's text, or both ways without it`() {
        // The hunk starts in a docstring's middle: its first delimiter closes it.
        let hunk = ["    when a or b is set, true.", "    \"\"\"", "    return a == b"]
        let patch = "@@ -10,3 +10,3 @@\n" + hunk.map { "+" + $0 }.joined(separator: "\n")
        var file = ChangedFile(path: "pkg/ready.py", patch: patch)
        #expect(MutantPlanner.needsSource(file))
        let withoutSource = MutantPlanner.plan([file], limit: 10)
        // Read both ways, the docstring's line and the delimiter are out, and so is the line after
        // (inside a string if the delimiter opened one).
        #expect(withoutSource.isEmpty)
        let source =
            (1...7).map { _ in "x = 1" }.joined(separator: "\n") + "\ndef ready(a, b):\n    \"\"\"Return\n"
            + hunk.joined(separator: "\n") + "\n"
        file.source = source
        #expect(!MutantPlanner.needsSource(file))
        let withSource = MutantPlanner.plan([file], limit: 10)
        #expect(withSource.map(\.line) == [12])
        let clear = ChangedFile(path: "pkg/a.py", patch: "@@ -1,2 +1,2 @@\n+def f():\n+    \"\"\"Doc.\"\"\"")
        #expect(!MutantPlanner.needsSource(clear))
    }

    @Test(arguments: [
        ("    return (", "pkg/a.py"),
        ("    total = compute(a == b,", "pkg/a.py"),
        ("    items.append(value)", "pkg/b.py"),
    ])
    func `no statement rewrite on a line that opens or sits inside a bracket`(line: String, path: String) {
        let lines = path.hasSuffix("b.py") ? ["call(", line, ")"] : [line, "    x)"]
        for (number, replacement) in planned(path, lines) {
            let original = lines[number - 1]
            #expect(!replacement.hasSuffix("None") && !replacement.hasSuffix("pass"), "\(original) → \(replacement)")
        }
    }

    @Test(arguments: [
        ("    x //= 2", "a.py"), ("    x **= 2", "a.py"), ("def f(x) -> int:", "a.py"),
        ("const f = (a) => a;", "a.js"), ("    p->next = q;", "a.c"),
    ])
    func `operators are replaced as whole tokens`(line: String, path: String) {
        let mutant = planned(path, [line]).values.first
        #expect(mutant == nil, "\(line) → \(mutant ?? "")")
    }

    @Test(arguments: [
        ("    for i in range(r if not early else n):", "a.py", nil as String?),
        ("    if not ready:", "a.py", "    if ready:"),
        ("    if (!ok) {", "a.js", "    if (ok) {"),
        ("    elif count > 0:", "a.py", "    elif not (count > 0):"),
        ("    guard count > 0 else {", "a.swift", "    guard !(count > 0) else {"),
        ("    } else if (a) {", "a.java", "    } else if (!(a)) {"),
    ])
    func `only a whole condition is negated, and a leading not is taken off`(
        line: String, path: String, expected: String?
    ) {
        let mutants = MutantPlanner.plan([addedFile(path, [line])], limit: 10)
        let negation = mutants.first { $0.operator == .negatedCondition }
        #expect(negation?.replacement == expected)
    }

    @Test func `booleans are the language's own`() {
        #expect(planned("a.py", ["    flag = True"])[1] == "    flag = False")
        #expect(planned("a.py", ["    flag = true"])[1] == nil)
        #expect(planned("a.js", ["let flag = True;"])[1] == nil)
        #expect(planned("a.js", ["let flag = true;"])[1] == "let flag = false;")
    }

    @Test(arguments: [
        ("    assert total == 3", "a.py", "assertion"),
        ("    precondition(count > 0)", "a.swift", "assertion"),
        ("        raise ValueError(\"bad\" + name)", "a.py", "raise"),
        ("    throw new Error(a + b);", "a.js", "raise"),
        ("    if x == 1:  # pragma: no cover", "a.py", "pragma"),
        ("    if (a == b) { // istanbul ignore next", "a.js", "pragma"),
        ("    warnings.warn(\"a\" + b)", "a.py", "logging"),
        ("    logger.warning(count + 1)", "a.py", "logging"),
        ("    log::warn!(\"{}\", a + b);", "a.rs", "logging"),
        ("TYPE_CHECKING = False", "a.py", "type-only"),
        ("MAX_RETRIES = 3 + 1", "a.py", "type-only"),
        ("from typing import TYPE_CHECKING", "a.py", "type-only"),
        ("export type Pair = A | B;", "a.ts", "type-only"),
        ("        msg = f\"expected {a} == {b}\"", "a.py", "message"),
        ("            \"it failed because a == b\"", "a.py", "message"),
    ])
    func `arid lines are skipped, each by its rule`(line: String, path: String, rule: String) {
        #expect(MutantPlanner.aridRule(line, path: path) == rule)
        #expect(planned(path, [line]).isEmpty, "\(line) was mutated")
    }

    @Test func `the bodies of __repr__ and description are skipped`() {
        let python = [
            "    def __repr__(self):", "        return f\"<{self.a == 1}>\" + self.b", "    def size(self):",
            "        return self.n + 1",
        ]
        #expect(Set(planned("a.py", python).keys) == [4])
        let swift = ["    var description: String {", "        \"\\(a)\" + b", "    }", "    let total = a + b"]
        #expect(Set(planned("a.swift", swift).keys) == [4])
    }

    @Test func `code lines keep their mutants`() {
        let lines = ["def total(a, b):", "    if a > b:", "        return a - b", "    return a + b"]
        #expect(Set(planned("pkg/total.py", lines).keys) == [2, 3, 4])
    }
}
