import Foundation
import FuzzSupport
import Ingress

/// Webhook bodies, each read as every event the functions take, from GitHub and from Buildkite,
/// so the payloads in fixtures/ are a corpus as they are.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let body = Data(bytes: bytes, count: count)
    for event in ["pull_request", "workflow_run", "ping", "installation"] {
        _ = try? GitHubWebhook.decode(event: event, body: body)
    }
    for event in ["build.finished", "build.running", "ping"] {
        _ = try? BuildkiteWebhook.decode(event: event, body: body)
    }
    return 0
}

@_cdecl("fuzz_payload_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
