import Testing
import Workflow

/// Patches as GitHub sends them, and the malformed ones fuzzing found (fixtures/fuzz/).
struct DiffTests {
    @Test func `added lines are numbered from the hunk's new start, context lines counted`() {
        let patch = "@@ -3,2 +3,3 @@ func f() {\n keep\n+added\n-removed\n+also\n"
        let added = Diff.addedLines(in: patch)
        #expect(added.map(\.number) == [4, 5])
        #expect(added.map(\.text) == ["added", "also"])
    }

    @Test(arguments: [
        // Found by fuzz-diff: a header without its spaces once numbered the next line 0.
        "\n\u{a6}\n:\n\n\n\0\n\n\n\0\n\n\n\n\n@@0#+0\0\0\0\n-\n+\n\0\0\0\0\u{ea}\n\n",
        // A start past any real file once overflowed while counting lines.
        "@@ -1 +9223372036854775807 @@\n+a\n+b\n",
        "@@ -1 +99999999999 @@\n+a\n",
        "@@ -1,2 +0,0 @@\n-gone\n-gone\n",
        "@@ -1 +٣ @@\n+a\n",
    ])
    func `a malformed or impossible hunk header starts no hunk`(patch: String) {
        #expect(Diff.addedLines(in: patch).isEmpty)
    }

    @Test func `no mutant is ever planned on a line the patch did not add`() {
        let patch = "@@0#+0\n+let ok = a == b\n@@ -1 +2 @@\n+let fine = a == b\n"
        let mutants = MutantPlanner.plan([ChangedFile(path: "A.swift", patch: patch)], limit: 10)
        #expect(mutants.map(\.line) == [2])
    }
}
