import Foundation
import FuzzSupport
import Ingress
import Workflow

/// A results artifact's zip, or anything else: unzipped within the bound and read, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let limit = 1024 * 1024
    guard let files = try? ResultsArtifact.unzip(Data(bytes: bytes, count: count), limit: limit) else { return 0 }
    precondition(files.values.reduce(0) { $0 + $1.count } <= limit, "inflated past the bound")
    precondition(files.keys.allSatisfy(ResultsArtifact.isRead), "took a file that is not read")
    var limits = EvidenceLimits()
    limits.maxTestCases = 200
    let results = ResultsArtifact.read(files, paths: ["src/a.py"], limits: limits)
    if let tests = results.tests { precondition(tests.passed.count + tests.failed.count <= 200, "read past the bound") }
    return 0
}

@_cdecl("fuzz_artifact_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
