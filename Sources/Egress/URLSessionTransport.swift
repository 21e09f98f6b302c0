import Engine
import Foundation
import FoundationNetworking

/// The S3 store's HTTP, over URLSession (libcurl), with a per-request timeout.
public struct URLSessionTransport: HTTPTransport {
    let session: URLSession

    public init(timeout: TimeInterval = 10) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 2
        configuration.httpMaximumConnectionsPerHost = 16
        session = URLSession(configuration: configuration)
    }

    public func send(_ request: HTTPExchange.Request) async throws(StoreError) -> HTTPExchange.Response {
        guard let url = URL(string: request.url) else { throw .unavailable("bad URL \(request.url)") }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty || request.method == "PUT" { urlRequest.httpBody = request.body }
        do {
            let (data, response) = try await session.data(for: urlRequest)
            guard let http = response as? HTTPURLResponse else { throw StoreError.unavailable("not an HTTP answer") }
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
            }
            return HTTPExchange.Response(status: http.statusCode, headers: headers, body: data)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable("\(request.method) \(url.path): \(error.localizedDescription)")
        }
    }
}
