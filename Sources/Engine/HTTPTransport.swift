#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One HTTP exchange, as the S3 store needs it. The engine knows no HTTP client: an edge
/// (Egress, URLSession) provides the transport.
public struct HTTPExchange: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var url: String
        public var headers: [(String, String)]
        public var body: Data

        public init(method: String, url: String, headers: [(String, String)], body: Data = Data()) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
        }
    }

    public struct Response: Sendable {
        public var status: Int
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: Data

        public init(status: Int, headers: [String: String], body: Data) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }
}

/// Sends a request and returns the answer, whatever its status; throws only when there is no answer.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPExchange.Request) async throws(StoreError) -> HTTPExchange.Response
}
