import Foundation
import FuzzSupport
import Ingress
import Workflow

/// lcov tracefiles, or anything else: never a crash; made relative, no path escapes the repository.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    if let coverage = try? LCOVReport.parse(Data(bytes: bytes, count: count)) {
        precondition(coverage.known.values.allSatisfy { $0.allSatisfy { $0 > 0 } }, "a line number below 1")
        let relative = coverage.relative(to: ["Sources/A.swift", "src/a.py"])
        precondition(
            Set(relative.known.keys).isSubset(of: ["Sources/A.swift", "src/a.py"]), "a path outside the repository")
    }
    return 0
}

@_cdecl("fuzz_lcov_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
