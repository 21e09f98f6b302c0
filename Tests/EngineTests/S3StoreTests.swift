import Egress
import Engine
import Foundation
import Hashing
import Logging
import Simulators
import Synchronization
import Testing
import Workflow

/// Answers from a script, to show how the store treats answers a real server gives only rarely.
final class ScriptedTransport: HTTPTransport {
    let answers: Mutex<[HTTPExchange.Response]>
    let requests = Mutex<[HTTPExchange.Request]>([])

    init(_ answers: [HTTPExchange.Response]) { self.answers = Mutex(answers) }

    func send(_ request: HTTPExchange.Request) async throws(StoreError) -> HTTPExchange.Response {
        requests.withLock { $0.append(request) }
        guard let next = answers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
            throw .unavailable("connection refused")
        }
        return next
    }
}

extension HTTPExchange.Response {
    static func answer(_ code: Int, body: String = "", etag: String? = nil) -> HTTPExchange.Response {
        HTTPExchange.Response(status: code, headers: etag.map { ["etag": $0] } ?? [:], body: Data(body.utf8))
    }
}

struct S3StoreTests {
    let credentials = AWSCredentials(
        accessKeyID: "AKID", secretAccessKey: Secret("secret"), sessionToken: Secret("session"))

    func store(_ transport: ScriptedTransport, addressing: S3Store.Addressing = .path) -> S3Store {
        S3Store(
            .init(
                endpoint: "https://s3.example.com", bucket: "bucket", prefix: "prod", region: "eu-west-1",
                credentials: credentials, addressing: addressing),
            transport: transport)
    }

    @Test func `500, 503 and SlowDown are retried, then the answer is used`() async throws {
        let transport = ScriptedTransport([
            .answer(503), .answer(500), .answer(400, body: "<Error><Code>SlowDown</Code></Error>"),
            .answer(200, body: "{}", etag: "\"abc\""),
        ])
        let stored = try #require(try await store(transport).read(key("tenants/acme/workflows/w1.json")))
        #expect(stored.version == Version("\"abc\""))
        #expect(transport.requests.withLock { $0.count } == 4)
    }

    @Test func `a server that keeps failing makes the store unavailable, not a conflict`() async throws {
        let transport = ScriptedTransport(Array(repeating: .answer(503), count: 10))
        await #expect(throws: StoreError.self) {
            try await store(transport).put(key("timers/202601010000/acme/w1"), Data())
        }
        #expect(transport.requests.withLock { $0.count } == 5)
    }

    @Test(arguments: [412, 409])
    func `a failed precondition is a conflict`(status: Int) async throws {
        let transport = ScriptedTransport([.answer(status)])
        await #expect(
            throws: StoreError.conflict("tenants/acme/workflows/w1.json: If-None-Match did not hold (\(status))")
        ) {
            try await store(transport).create(key("tenants/acme/workflows/w1.json"), Data("{}".utf8))
        }
    }

    @Test func `requests are signed with the session token and the conditions they carry`() async throws {
        let transport = ScriptedTransport([.answer(200, etag: "\"v2\"")])
        _ = try await store(transport).replace(
            key("tenants/acme/workflows/w1.json"), Data("{}".utf8), ifMatch: Version("\"v1\""))
        let request = try #require(transport.requests.withLock { $0.first })
        #expect(request.url == "https://s3.example.com/bucket/prod/tenants/acme/workflows/w1.json")
        let headers = Dictionary(request.headers.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { $1 })
        #expect(headers["if-match"] == "\"v1\"")
        #expect(headers["x-amz-security-token"] == "session")
        #expect(headers["x-amz-content-sha256"] == SHA256.hex(Data("{}".utf8)))
        #expect(
            headers["authorization"]?.contains(
                "/eu-west-1/s3/aws4_request, SignedHeaders=content-type;host;if-match;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="
            ) == true)
    }

    @Test func `virtual-hosted addressing puts the bucket in the host`() async throws {
        let transport = ScriptedTransport([.answer(404)])
        _ = try await store(transport, addressing: .virtualHosted).read(key("tenants/acme/workflows/w1.json"))
        #expect(
            transport.requests.withLock { $0.first?.url }
                == "https://bucket.s3.example.com/prod/tenants/acme/workflows/w1.json")
    }

    @Test func `listing follows continuation tokens and strips the prefix`() async throws {
        let page1 =
            "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>prod/timers/1/a/w1</Key></Contents><NextContinuationToken>t/2+=</NextContinuationToken></ListBucketResult>"
        let page2 =
            "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>prod/timers/1/a/w2</Key></Contents></ListBucketResult>"
        let transport = ScriptedTransport([.answer(200, body: page1), .answer(200, body: page2)])
        let keys = try await store(transport).list(prefix: "timers/", startAfter: "timers/0", limit: 10)
        #expect(keys.map(\.rawValue) == ["timers/1/a/w1", "timers/1/a/w2"])
        let urls = transport.requests.withLock { $0.map(\.url) }
        #expect(urls[0].contains("start-after=prod%2Ftimers%2F0"))
        #expect(urls[1].contains("continuation-token=t%2F2%2B%3D"))
        #expect(!urls[1].contains("start-after"))
    }

    @Test func `a real server refuses a wrong signature and nothing is written`() async throws {
        try await SeaweedServer.with { endpoint in
            let prefix = "t-\(UUID().uuidString.lowercased())"
            let forged = S3Fixture.store(endpoint, prefix: prefix, secret: "not-the-secret")
            await #expect(throws: StoreError.self) {
                try await forged.put(key("tenants/acme/workflows/w1.json"), Data("{}".utf8))
            }
            let real = S3Fixture.store(endpoint, prefix: prefix)
            let stored = try await real.read(key("tenants/acme/workflows/w1.json"))
            #expect(stored == nil)
        }
    }

    @Test func `concurrent completions applied through the engine on S3 are all recorded`() async throws {
        try await SeaweedServer.with { endpoint in
            let engine = Engine<Run>(
                store: S3Fixture.store(endpoint), clock: ManualClock(), logger: Logger(label: "test"))
            let pr = PullRequest(owner: "acme", repo: "shop", number: 1, headSHA: "abcdef1234567", headRef: "x")
            _ = try await engine.create(tenant: "acme", id: "w1", eventID: "d") { now in
                Run.start(
                    id: "w1", tenant: "acme", pullRequest: pr,
                    settings: Settings(maxMutants: 10, maxConcurrentJobs: 10, baselineRuns: 1), now: now)
            }
            let baseline = JobKey(tenant: "acme", workflow: "w1", job: .baseline, attempt: 1)
            _ = try await engine.apply(
                tenant: "acme", id: "w1",
                [
                    EventInput(id: "files", event: .filesListed([mutableFile(count: 10)])),
                    EventInput(id: "green", event: .ciFinished(baseline, .passed, ciRunID: 1, url: nil)),
                    EventInput(id: "read", event: .resultsRead(baseline, RunResults())),
                ])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 0..<10 {
                    group.addTask {
                        let job = JobKey(tenant: "acme", workflow: "w1", job: .mutant(id), attempt: 1)
                        let outcome: CIConclusion = id % 2 == 0 ? .passed : .failed
                        _ = try await engine.apply(
                            tenant: "acme", id: "w1",
                            [EventInput(id: "c\(id)", event: .ciFinished(job, outcome, ciRunID: nil, url: nil))])
                    }
                }
                try await group.waitForAll()
            }
            let document = try #require(try await engine.load(tenant: "acme", id: "w1")?.0)
            #expect(document.state.mutants.filter { $0.status == .passed }.count == 5)
            #expect(document.state.mutants.filter { $0.status == .inspecting }.count == 5)
            #expect(Set(document.appliedEvents).isSuperset(of: (0..<10).map { "c\($0)" }))
        }
    }
}
