import Egress
import Foundation
import Hashing
import Logging
import Simulators
import Testing
import Workflow

struct GitHubAppTests {
    static func testKey() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = try #require(
            FileManager.default.contents(atPath: root.appendingPathComponent("fixtures/keys/test-app.pem").path))
        return String(decoding: data, as: UTF8.self)
    }

    @Test func `the app's JWT matches one made by Python's cryptography package, byte for byte`() throws {
        // RS256 (PKCS#1 v1.5) is deterministic, so an independent implementation must give the same token.
        let expected =
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3NjcyMjYxNDAsImlhdCI6MTc2NzIyNTU0MCwiaXNzIjoiMTIzNDUifQ.Vo2JE0RZQaSIbYQ3qdP1kYxQJQssSofwKuMv9TS6mSJrRl-yxJ4L4ZB54CXWspE6JwXazp6WvIcqwuqzvtlB9jghoVjd6jBIVV8bARE8uRvyt3qSU87SB3NcLD3AOOl7sF6Wo9rs5C92kUIiJRO6-opLvdjK9YXI-Tnh-EeT79ZtoVBjen8ukB9IyklIMKoNe6YV0iqCFpaoJtgokKBOpee_CyaqbkieXvOjEs6Nys9IdZg2QBb20a-h0T4N9r9jZv2wtlISWIX-m8qbYr1YUF49Cm2HVIzhqvofRLXs6gHugbwhLgJYUJcECtBaGSaDsiagGieK1Qu9Z84xd-dMug"
        let app = GitHubApp(appID: 12345, privateKey: Secret(try Self.testKey()))
        #expect(try app.jwt(now: 1_767_225_600) == expected)
    }

    @Test func `iat is a minute in the past and exp at most ten minutes after it`() throws {
        let app = GitHubApp(appID: 7, privateKey: Secret(try Self.testKey()))
        let parts = try app.jwt(now: 1_000_000).split(separator: ".")
        let claims = try #require(JWT.fromBase64URL(parts[1]))
        struct Claims: Decodable {
            var iat: Int64
            var exp: Int64
            var iss: String
        }
        let decoded = try JSONDecoder().decode(Claims.self, from: claims)
        #expect(decoded.iat == 1_000_000 - 60)
        #expect(decoded.exp - decoded.iat <= 600)
        #expect(decoded.exp > 1_000_000)
        #expect(decoded.iss == "7")
    }

    @Test func `a key OpenSSL cannot read is a clear error`() {
        let app = GitHubApp(
            appID: 7, privateKey: Secret("-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----"))
        #expect(throws: RS256.KeyError.self) { try app.jwt(now: 1) }
    }

    @Test func `a signature verifies with the public key and not after tampering`() throws {
        let pair = try #require(RS256.generateKeyPair())
        let signature = try RS256.sign(Array("hello".utf8), privateKeyPEM: pair.privateKey)
        #expect(RS256.verify(signature, of: Array("hello".utf8), publicKeyPEM: pair.publicKey))
        #expect(!RS256.verify(signature, of: Array("hellp".utf8), publicKeyPEM: pair.publicKey))
    }

    @Test func `installation tokens are exchanged once and then reused`() async throws {
        let pair = try #require(RS256.generateKeyPair())
        var options = GitHubSimulator.Options(
            token: "unused", owner: "acme", repo: "shop", pullNumber: 42, files: [], webhookURL: "", webhookSecret: "s")
        options.app = (id: 99, publicKey: pair.publicKey, installationID: 4242)
        let simulator = GitHubSimulator(options: options)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await LoopbackServer.withRunning({ simulator.application(logger: logger, onServerRunning: $0) }) { port in
            let api = "http://127.0.0.1:\(port)"
            let tokens = InstallationTokens()
            let auth = GitHubAuth.app(GitHubApp(appID: 99, privateKey: Secret(pair.privateKey)), installationID: 4242)
            let first = try await tokens.token(for: auth, apiURL: api)
            let second = try await tokens.token(for: auth, apiURL: api)
            #expect(first == second)
            #expect(await simulator.state.requests.filter { $0.hasPrefix("POST /app/installations/4242") }.count == 1)
            let pr = PullRequest(owner: "acme", repo: "shop", number: 42, headSHA: "abc1234", headRef: "x")
            let files = try await GitHubClient(apiURL: api, token: first).listFiles(pr)
            #expect(files.isEmpty)
            let wrongApp = GitHubAuth.app(
                GitHubApp(appID: 98, privateKey: Secret(pair.privateKey)), installationID: 4242)
            await #expect(throws: RESTError.self) { try await InstallationTokens().token(for: wrongApp, apiURL: api) }
            let otherKey = try #require(RS256.generateKeyPair())
            let forged = GitHubAuth.app(
                GitHubApp(appID: 99, privateKey: Secret(otherKey.privateKey)), installationID: 4242)
            await #expect(throws: RESTError.self) { try await InstallationTokens().token(for: forged, apiURL: api) }
        }
    }
}
