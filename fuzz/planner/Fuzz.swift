import FuzzSupport
import Workflow

/// Mutant planning over a fuzzed patch, as a file of each kind the planner treats differently.
/// Every mutant must change its line and name a line the patch added.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let patch = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    let added = Set(Diff.addedLines(in: patch).map(\.number))
    for path in ["Sources/A.swift", "app/a.py", "src/a.ts", "pkg/a.go", "Tests/ATests.swift", "README.md"] {
        for mutant in MutantPlanner.plan([ChangedFile(path: path, patch: patch)], limit: 50) {
            precondition(mutant.original != mutant.replacement, "a mutant that changes nothing")
            precondition(added.contains(mutant.line), "a mutant on line \(mutant.line), which the patch did not add")
        }
    }
    return 0
}

@_cdecl("fuzz_planner_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
