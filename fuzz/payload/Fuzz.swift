import Foundation
import Ingress

/// Webhook bodies, each read as every event the functions take, from GitHub and from Buildkite,
/// so the payloads in fixtures/ are a corpus as they are.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let body = Data(bytes: bytes, count: count)
    for event in ["pull_request", "workflow_run", "ping", "installation"] { _ = try? GitHubWebhook.decode(event: event, body: body) }
    for event in ["build.finished", "build.running", "ping"] { _ = try? BuildkiteWebhook.decode(event: event, body: body) }
    return 0
}

// SwiftPM links an executable's `main` to `fuzz_payload_main`; libFuzzer's driver runs from here.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("fuzz_payload_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOne)
}
