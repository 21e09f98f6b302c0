import Foundation
import Hashing
import Ingress
import Testing

struct SignatureTests {
    let secret = Secret("It's a Secret to Everybody")
    let body = Data("Hello, World!".utf8)

    @Test func `GitHub's published vector verifies`() throws {
        let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        try Signature.verifyGitHub(header: header, body: body, secret: secret)
        #expect(Signature.gitHubHeader(body: body, secret: secret) == header)
    }

    @Test func `a tampered body is a mismatch`() {
        let header = Signature.gitHubHeader(body: body, secret: secret)
        #expect(throws: SignatureError.mismatch) {
            try Signature.verifyGitHub(header: header, body: Data("Hello, World?".utf8), secret: secret)
        }
    }

    @Test func `another secret is a mismatch`() {
        let header = Signature.gitHubHeader(body: body, secret: Secret("other"))
        #expect(throws: SignatureError.mismatch) {
            try Signature.verifyGitHub(header: header, body: body, secret: secret)
        }
    }

    @Test func `a missing header is refused by name`() {
        #expect(throws: SignatureError.missingHeader("X-Hub-Signature-256")) {
            try Signature.verifyGitHub(header: nil, body: body, secret: secret)
        }
    }

    @Test(arguments: [
        "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59", "sha256=zz",
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "sha256=", "sha256=757107ea",
    ])
    func `malformed or SHA-1 headers are refused`(header: String) {
        #expect(throws: SignatureError.malformed("X-Hub-Signature-256")) {
            try Signature.verifyGitHub(header: header, body: body, secret: secret)
        }
    }

    @Test func `secrets never print`() {
        #expect("\(secret)" == "***")
        #expect(String(reflecting: secret) == "***")
    }

    @Test func `constant-time comparison tells equal from different bytes`() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
    }
}
