import Foundation
import FuzzSupport
import Ingress
import Workflow

/// Cobertura XML from a baseline's coverage, or anything else: never a crash, no line below 1.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    if let coverage = try? CoberturaReport.parse(Data(bytes: bytes, count: count)) {
        precondition(coverage.known.values.allSatisfy { $0.allSatisfy { $0 > 0 } }, "a line number below 1")
        precondition(coverage.covered.allSatisfy { coverage.known[$0.key]?.isSuperset(of: $0.value) == true })
    }
    return 0
}

@_cdecl("fuzz_cobertura_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
