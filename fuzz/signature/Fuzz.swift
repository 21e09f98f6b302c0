import Foundation
import FuzzSupport
import Hashing
import Ingress

/// Signature headers as an attacker would send them. The input's first line is the header; the
/// rest is the body. The same first line is also tried as a Buildkite timestamp under a correct
/// signature, so the checks after the HMAC (the replay window) are reached too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Data(bytes: bytes, count: count)
    let cut = input.firstIndex(of: 0x0A) ?? input.endIndex
    let header = String(decoding: input[..<cut], as: UTF8.self)
    let body = cut < input.endIndex ? Data(input[(cut + 1)...]) : Data()
    let secret = Secret("fuzz-secret")
    _ = try? Signature.verifyGitHub(header: header, body: body, secret: secret)
    _ = try? Signature.verifyBuildkite(header: header, body: body, secret: secret, now: 1_767_225_600)
    _ = try? Signature.verifyBuildkiteToken(header: header, token: secret)
    let signed =
        "timestamp=\(header),signature="
        + Hex.encode(HMAC.sha256(key: secret.bytes, Array("\(header).".utf8) + Array(body)))
    _ = try? Signature.verifyBuildkite(header: signed, body: body, secret: secret, now: 1_767_225_600)
    return 0
}

@_cdecl("fuzz_signature_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzOne)
}
