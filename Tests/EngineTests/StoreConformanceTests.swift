import Egress
import Engine
import Foundation
import Hashing
import Simulators
import Testing

/// The stores every conformance test runs against: files on disk, and objects in a real
/// S3-compatible server (SeaweedFS) on 127.0.0.1.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case file
    case s3
    var testDescription: String { rawValue }

    /// Runs `body` with a fresh, empty store of this kind.
    func withStore(_ body: (any DocumentStore) async throws -> Void) async throws {
        switch self {
        case .file:
            try await body(try FileStore(root: TemporaryFolder.make()))
        case .s3:
            try await SeaweedServer.with { endpoint in try await body(S3Fixture.store(endpoint)) }
        }
    }
}

enum S3Fixture {
    /// A store on the test server under a prefix of its own, so tests sharing the server never meet.
    static func store(
        _ endpoint: SeaweedServer.Endpoint, prefix: String = "t-\(UUID().uuidString.lowercased())",
        secret: String? = nil
    ) -> S3Store {
        let credentials = AWSCredentials(
            accessKeyID: endpoint.accessKey, secretAccessKey: Secret(secret ?? endpoint.secretKey))
        let configuration = S3Store.Configuration(
            endpoint: endpoint.url, bucket: endpoint.bucket, prefix: prefix, region: "us-east-1",
            credentials: credentials, addressing: .path)
        return S3Store(configuration, transport: URLSessionTransport(timeout: 5))
    }
}

enum TemporaryFolder {
    static func make() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-test-\(UUID().uuidString)")
            .path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

func key(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> StoreKey {
    try #require(StoreKey(text), sourceLocation: sourceLocation)
}

/// What any document store must do: the engine relies on nothing else.
@Suite struct StoreConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func `reading a missing document gives nil`(kind: StoreKind) async throws {
        try await kind.withStore { (store: any DocumentStore) async throws in
            #expect(try await store.read(key("tenants/acme/workflows/none.json")) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func `a created document reads back with its version`(kind: StoreKind) async throws {
        try await kind.withStore { (store: any DocumentStore) async throws in
            let k = try key("tenants/acme/workflows/w1.json")
            let version = try await store.create(k, Data("one".utf8))
            let stored = try #require(try await store.read(k))
            #expect(stored.data == Data("one".utf8))
            #expect(stored.version == version)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func `creating over an existing document is a conflict and keeps the first`(kind: StoreKind) async throws {
        try await kind.withStore { (store: any DocumentStore) async throws in
            let k = try key("tenants/acme/workflows/w1.json")
            _ = try await store.create(k, Data("first".utf8))
            let error = await #expect(throws: StoreError.self) { try await store.create(k, Data("second".utf8)) }
            #expect(error?.isConflict == true, "\(String(describing: error))")
            #expect(try await store.read(k)?.data == Data("first".utf8))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func `replace succeeds on the current version and fails on a stale one`(kind: StoreKind) async throws {
        try await kind.withStore { (store: any DocumentStore) async throws in
            let k = try key("tenants/acme/workflows/w1.json")
            let v1 = try await store.create(k, Data("1".utf8))
            let v2 = try await store.replace(k, Data("2".utf8), ifMatch: v1)
            #expect(v2 != v1)
            let error = await #expect(throws: StoreError.self) {
                try await store.replace(k, Data("stale".utf8), ifMatch: v1)
            }
            #expect(error?.isConflict == true, "\(String(describing: error))")
            #expect(try await store.read(k)?.data == Data("2".utf8))
            #expect(try await store.read(k)?.version == v2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func `replacing a missing document is a conflict`(kind: StoreKind) async throws {
        try await kind.withStore { (store: any DocumentStore) async throws in
            let error = await #expect(throws: StoreError.self) {
                try await store.replace(key("tenants/acme/workflows/w9.json"), Data("x".utf8), ifMatch: Version("abc"))
            }
            #expect(error?.isConflict == true, "\(String(describing: error))")
            #expect(try await store.read(key("tenants/acme/workflows/w9.json")) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func `put overwrites and delete removes, twice without error`(kind: StoreKind) async throws {
        try await kind.withStore { (store: any DocumentStore) async throws in
            let k = try key("timers/202601010000/acme/w1")
            try await store.put(k, Data())
            try await store.put(k, Data("again".utf8))
            #expect(try await store.read(k)?.data == Data("again".utf8))
            try await store.delete(k)
            try await store.delete(k)
            #expect(try await store.read(k) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func `list returns keys under a prefix in order, after a key, up to a limit`(kind: StoreKind) async throws {
        try await kind.withStore { (store: any DocumentStore) async throws in
            let names = [
                "timers/202601010002/b/w2", "timers/202601010001/a/w1", "timers/202601010001/b/w3",
                "tenants/acme/workflows/w1.json",
            ]
            for name in names { try await store.put(key(name), Data()) }
            let all = try await store.list(prefix: "timers/", startAfter: nil, limit: 100).map(\.rawValue)
            #expect(all == ["timers/202601010001/a/w1", "timers/202601010001/b/w3", "timers/202601010002/b/w2"])
            let after = try await store.list(prefix: "timers/", startAfter: "timers/202601010001/a/w1", limit: 1).map(
                \.rawValue)
            #expect(after == ["timers/202601010001/b/w3"])
            let narrow = try await store.list(prefix: "timers/202601010001/b", startAfter: nil, limit: 100).map(
                \.rawValue)
            #expect(narrow == ["timers/202601010001/b/w3"])
            #expect(try await store.list(prefix: "nothing/", startAfter: nil, limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func `concurrent compare-and-swap writers never lose an update`(kind: StoreKind) async throws {
        try await kind.withStore { (store: any DocumentStore) async throws in
            let k = try key("tenants/acme/workflows/counter.json")
            _ = try await store.create(k, Data("0".utf8))
            let writers = 8
            let increments = 5
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<writers {
                    group.addTask {
                        for _ in 0..<increments {
                            while true {
                                let current = try #require(try await store.read(k))
                                let value = Int(String(decoding: current.data, as: UTF8.self))! + 1
                                do {
                                    _ = try await store.replace(k, Data(String(value).utf8), ifMatch: current.version)
                                    break
                                } catch StoreError.conflict { continue }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(
                String(decoding: try #require(try await store.read(k)).data, as: UTF8.self)
                    == String(writers * increments))
        }
    }

    @Test(arguments: [
        "../etc/passwd", "tenants/../x", "tenants/Acme/w", "tenants//w", ".hidden", "tenants/a b", "/abs",
        "tenants/acme/",
    ])
    func `keys that could escape the store are refused`(text: String) {
        #expect(StoreKey(text) == nil)
    }
}

extension StoreError {
    /// A compare-and-swap refusal, not any other store error.
    var isConflict: Bool { if case .conflict = self { true } else { false } }
}
