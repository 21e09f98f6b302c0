import Hashing
import Workflow

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Documents as objects in an S3-compatible bucket. Conditional writes do the compare-and-swap:
/// `If-None-Match: *` creates only, `If-Match: <ETag>` replaces only the version read; 412 and 409
/// mean conflict. 500, 503 and SlowDown are retried with backoff and jitter.
public struct S3Store: DocumentStore {
    public enum Addressing: String, Sendable {
        /// `https://endpoint/bucket/key`: S3-compatible servers and local tests.
        case path
        /// `https://bucket.endpoint/key`: AWS's default.
        case virtualHosted
    }

    public struct Configuration: Sendable {
        public var endpoint: String
        public var bucket: String
        public var prefix: String
        public var region: String
        public var credentials: AWSCredentials
        public var addressing: Addressing
        /// Attempts for a request that meets 500, 503, SlowDown or no answer.
        public var maxAttempts = 5

        public init(
            endpoint: String, bucket: String, prefix: String = "", region: String, credentials: AWSCredentials,
            addressing: Addressing
        ) {
            self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
            self.bucket = bucket
            self.prefix = prefix.split(separator: "/").joined(separator: "/")
            self.region = region
            self.credentials = credentials
            self.addressing = addressing
        }
    }

    public let configuration: Configuration
    let transport: any HTTPTransport

    public init(_ configuration: Configuration, transport: any HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    public func read(_ key: StoreKey) async throws(StoreError) -> Stored? {
        let response = try await send("GET", objectKey(key))
        switch response.status {
        case 200: return Stored(data: response.body, version: Version(response.headers["etag"] ?? ""))
        case 404: return nil
        default: throw failure("GET", key, response)
        }
    }

    public func create(_ key: StoreKey, _ data: Data) async throws(StoreError) -> Version {
        try await write(key, data, condition: ("If-None-Match", "*"))
    }

    public func replace(_ key: StoreKey, _ data: Data, ifMatch version: Version) async throws(StoreError) -> Version {
        try await write(key, data, condition: ("If-Match", version.value))
    }

    public func put(_ key: StoreKey, _ data: Data) async throws(StoreError) {
        _ = try await write(key, data, condition: nil)
    }

    public func delete(_ key: StoreKey) async throws(StoreError) {
        let response = try await send("DELETE", objectKey(key))
        guard [200, 204, 404].contains(response.status) else { throw failure("DELETE", key, response) }
    }

    public func delete(_ key: StoreKey, ifMatch version: Version) async throws(StoreError) {
        let response = try await send("DELETE", objectKey(key), headers: [("If-Match", version.value)])
        switch response.status {
        case 200, 204: return
        case 404, 412: throw .conflict("\(key): If-Match did not hold (\(response.status))")
        default: throw failure("DELETE", key, response)
        }
    }

    private func write(_ key: StoreKey, _ data: Data, condition: (String, String)?) async throws(StoreError) -> Version
    {
        var headers = [("Content-Type", "application/json")]
        if let condition { headers.append(condition) }
        let response = try await send("PUT", objectKey(key), headers: headers, body: data)
        switch response.status {
        case 200, 201: return Version(response.headers["etag"] ?? SHA256.hex(data))
        case 409, 412: throw .conflict("\(key): \(condition?.0 ?? "write") did not hold (\(response.status))")
        case 404 where condition?.0 == "If-Match": throw .conflict("\(key) does not exist")
        default: throw failure("PUT", key, response)
        }
    }

    func objectKey(_ key: StoreKey) -> String {
        configuration.prefix.isEmpty ? key.rawValue : "\(configuration.prefix)/\(key.rawValue)"
    }

    func failure(_ method: String, _ key: StoreKey, _ response: HTTPExchange.Response) -> StoreError {
        let body = String(decoding: response.body.prefix(300), as: UTF8.self)
        return .unavailable("S3 \(method) \(key): HTTP \(response.status) \(body)")
    }
}
