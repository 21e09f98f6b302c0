import Foundation
import FuzzSupport
import Ingress
import Workflow

/// JUnit XML from a CI run's results artifact, or anything else: bounded, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    var limits = EvidenceLimits()
    limits.maxTestCases = 200
    if let outcomes = try? JUnitReport.parse(Data(bytes: bytes, count: count), limits: limits) {
        precondition(outcomes.passed.count + outcomes.failed.count <= limits.maxTestCases, "read past the bound")
        precondition(outcomes.passed.isDisjoint(with: outcomes.failed), "a test both passed and failed")
        precondition(
            outcomes.passed.union(outcomes.failed).allSatisfy { $0.count <= limits.maxNameLength }, "a long name")
    }
    return 0
}

@_cdecl("fuzz_junit_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
