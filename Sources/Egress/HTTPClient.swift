import Foundation
import FoundationNetworking
import Hashing
import Instrumentation
import Tracing

/// How a REST call failed.
public enum RESTError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server answered with a status outside 2xx. `retryAfter` in seconds when the server said.
    case status(Int, body: String, retryAfter: Int64?)
    /// No answer: connection refused, timeout, TLS.
    case transport(String)
    /// An answer that is not the JSON expected.
    case decoding(String)
    /// An answer larger than the caller reads (bytes).
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .status(let code, let body, _): "HTTP \(code): \(body.prefix(200))"
        case .transport(let reason): "transport: \(reason)"
        case .decoding(let reason): "decoding: \(reason)"
        case .tooLarge(let limit): "the answer is over \(limit) bytes"
        }
    }
}

/// A small JSON-over-HTTP client on URLSession (libcurl on Linux).
public struct RESTClient: Sendable {
    public let baseURL: String
    public let headers: [String: String]
    let session: URLSession

    public init(baseURL: String, headers: [String: String], timeout: TimeInterval = 10) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.headers = headers
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 3
        session = URLSession(configuration: configuration)
    }

    /// Sends a request and returns the status and body of a 2xx answer.
    public func send(_ method: String, _ path: String, json: (any Encodable & Sendable)? = nil) async throws(RESTError)
        -> (Int, Data)
    {
        let (status, data, _) = try await exchange(method, path, json: json)
        return (status, data)
    }

    /// Sends a request and returns the status, body and headers of a 2xx answer.
    public func exchange(_ method: String, _ path: String, json: (any Encodable & Sendable)? = nil)
        async throws(RESTError) -> (Int, Data, HTTPURLResponse)
    {
        guard let url = URL(string: baseURL + path) else { throw .transport("bad URL \(baseURL + path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        // A client span per call, its context sent on as W3C `traceparent`; the query (which may
        // name a job key) stays out of it.
        let span = startSpan("\(method) \(url.host ?? "")", ofKind: .client)
        defer { span.end() }
        span.attributes["http.request.method"] = method
        span.attributes["server.address"] = url.host
        span.attributes["url.path"] = url.path
        InstrumentationSystem.instrument.inject(span.context, into: &request, using: RequestInjector())
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            do { request.httpBody = try JSONEncoder().encode(json) } catch { throw .decoding("encode: \(error)") }
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw .transport("\(method) \(path): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw .transport("not an HTTP answer") }
        span.attributes["http.response.status_code"] = http.statusCode
        guard (200..<300).contains(http.statusCode) else {
            span.setStatus(SpanStatus(code: .error))
            throw .status(
                http.statusCode, body: String(decoding: data.prefix(2000), as: UTF8.self),
                retryAfter: Self.retryAfter(http))
        }
        return (http.statusCode, data, http)
    }

    /// Sends a request and decodes the answer.
    public func fetch<T: Decodable>(
        _ type: T.Type, _ method: String, _ path: String, json: (any Encodable & Sendable)? = nil
    )
        async throws(RESTError) -> T
    {
        let (_, data) = try await send(method, path, json: json)
        do { return try JSONDecoder().decode(type, from: data) } catch { throw .decoding("\(path): \(error)") }
    }

    /// Seconds to wait, from `Retry-After` or GitHub's `x-ratelimit-reset` when the limit is used up.
    static func retryAfter(_ response: HTTPURLResponse) -> Int64? {
        if let value = response.value(forHTTPHeaderField: "Retry-After"), let seconds = Int64(value) { return seconds }
        if response.value(forHTTPHeaderField: "x-ratelimit-remaining") == "0",
            let reset = response.value(forHTTPHeaderField: "x-ratelimit-reset").flatMap(Int64.init)
        {
            return max(1, reset - Int64(Date().timeIntervalSince1970))
        }
        return nil
    }
}

/// Writes a propagated trace context (`traceparent`…) into an outgoing request's headers.
struct RequestInjector: Injector {
    func inject(_ value: String, forKey key: String, into request: inout URLRequest) {
        request.setValue(value, forHTTPHeaderField: key)
    }
}
