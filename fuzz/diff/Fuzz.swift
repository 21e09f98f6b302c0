import FuzzSupport
import Workflow

/// Unified diff patches as GitHub's PR files API returns them, or anything else.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let patch = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    for line in Diff.addedLines(in: patch) { precondition(line.number > 0, "a line number below 1: \(line.number)") }
    return 0
}

@_cdecl("fuzz_diff_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
