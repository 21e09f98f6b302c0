import Foundation
import Hashing
import Ingress
import Testing
import Workflow

struct BuildkiteSignatureTests {
    let secret = Secret("29b1ff5779c76bd48ba6705eb99ff970")
    let body = Data("{\"event\":\"ping\"}".utf8)
    // HMAC-SHA256 of `1642080837.{"event":"ping"}`, computed with Python's hmac module.
    let header = "timestamp=1642080837,signature=7f45902f24edef782607150a38bc74f45a3decddc9ba3b86a1aa43e776caffde"

    @Test func `a signature over timestamp and body verifies inside the window`() throws {
        try Signature.verifyBuildkite(header: header, body: body, secret: secret, now: 1_642_080_837 + 299)
        try Signature.verifyBuildkite(header: header, body: body, secret: secret, now: 1_642_080_837 - 300)
        #expect(Signature.buildkiteHeader(body: body, secret: secret, timestamp: 1_642_080_837) == header)
    }

    @Test(arguments: [Int64(301), -301, 86_400])
    func `a signature outside five minutes is expired`(offset: Int64) {
        #expect(throws: SignatureError.expired) {
            try Signature.verifyBuildkite(header: header, body: body, secret: secret, now: 1_642_080_837 + offset)
        }
    }

    @Test(arguments: ["-9223372036854775808", "9223372036854775807", "-1"])
    func `a correctly signed timestamp at the ends of the number range is expired, not a crash`(timestamp: String) {
        let header =
            "timestamp=\(timestamp),signature="
            + Hex.encode(HMAC.sha256(key: secret.bytes, Array("\(timestamp).".utf8) + Array(body)))
        #expect(throws: SignatureError.expired) {
            try Signature.verifyBuildkite(header: header, body: body, secret: secret, now: 1_642_080_837)
        }
    }

    @Test func `a tampered body or timestamp is a mismatch`() {
        #expect(throws: SignatureError.mismatch) {
            try Signature.verifyBuildkite(
                header: header, body: Data("{\"event\":\"pong\"}".utf8), secret: secret, now: 1_642_080_837)
        }
        let moved = header.replacingOccurrences(of: "1642080837", with: "1642080838")
        #expect(throws: SignatureError.mismatch) {
            try Signature.verifyBuildkite(header: moved, body: body, secret: secret, now: 1_642_080_837)
        }
    }

    @Test(arguments: [
        "signature=7f45", "timestamp=1642080837",
        "timestamp=x,signature=7f45902f24edef782607150a38bc74f45a3decddc9ba3b86a1aa43e776caffde", "garbage",
    ])
    func `malformed signature headers are refused`(header: String) {
        #expect(throws: SignatureError.malformed("X-Buildkite-Signature")) {
            try Signature.verifyBuildkite(header: header, body: body, secret: secret, now: 1_642_080_837)
        }
    }

    @Test func `a token must match exactly`() throws {
        try Signature.verifyBuildkiteToken(header: secret.value, token: secret)
        #expect(throws: SignatureError.mismatch) { try Signature.verifyBuildkiteToken(header: "nope", token: secret) }
        #expect(throws: SignatureError.missingHeader("X-Buildkite-Token")) {
            try Signature.verifyBuildkiteToken(header: nil, token: secret)
        }
    }
}

struct BuildkiteWebhookTests {
    @Test(arguments: [("", CIConclusion.failed), (".passed", .passed), (".canceled", .infrastructure("canceled"))])
    func `a finished build carries its job key back in meta_data`(variant: String, conclusion: CIConclusion) throws {
        let webhook = try BuildkiteWebhook.decode(
            event: "build.finished", body: fixture("buildkite/build.finished\(variant).json"))
        guard case .buildFinished(let job, let decoded, let number, let url, let eventID) = webhook else {
            Issue.record("decoded as \(webhook)")
            return
        }
        #expect(job == JobKey(parsing: "globex/globex--api--pr7--4b7e9d2c1a8f/m2/1"))
        #expect(decoded == conclusion)
        #expect(number == 1287)
        #expect(url == "https://buildkite.com/globex/tinybug/builds/1287")
        #expect(eventID.hasPrefix("buildkite:01890c5a-0b1c-4d2e-8f3a-4b5c6d7e8f90:"))
    }

    @Test func `the same outcome redelivered gets the same event id, another outcome another`() throws {
        let failed = try BuildkiteWebhook.decode(
            event: "build.finished", body: fixture("buildkite/build.finished.json"))
        let again = try BuildkiteWebhook.decode(event: "build.finished", body: fixture("buildkite/build.finished.json"))
        let passed = try BuildkiteWebhook.decode(
            event: "build.finished", body: fixture("buildkite/build.finished.passed.json"))
        #expect(failed == again)
        #expect(failed != passed)
    }

    @Test(arguments: [
        ("passed", CIConclusion.passed), ("failed", .failed), ("canceled", .infrastructure("canceled")),
        ("skipped", .infrastructure("skipped")), ("not_run", .infrastructure("not_run")),
    ])
    func `build states map as the contract says`(state: String, conclusion: CIConclusion) {
        #expect(BuildkiteWebhook.conclusion(state) == conclusion)
    }

    @Test func `ping and other events decode without a build`() throws {
        #expect(try BuildkiteWebhook.decode(event: "ping", body: fixture("buildkite/ping.json")) == .ping)
        #expect(
            try BuildkiteWebhook.decode(event: "build.running", body: fixture("buildkite/build.running.json"))
                == .ignored("event build.running"))
    }

    @Test func `a build without its state is a payload error naming the field`() throws {
        let text = String(decoding: try fixture("buildkite/build.finished.json"), as: UTF8.self).replacingOccurrences(
            of: "\"state\": \"failed\",\n    \"cancel_reason\"", with: "\"cancel_reason\"")
        #expect(throws: PayloadError(field: "build.state", problem: "is missing")) {
            try BuildkiteWebhook.decode(event: "build.finished", body: Data(text.utf8))
        }
    }
}
