import Hashing
import Workflow

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Addressing, signing, retrying and listing.
extension S3Store {
    /// The URL and signed headers of a request on `objectKey` (empty for the bucket itself).
    func signed(
        _ method: String, _ objectKey: String, query: [(String, String)], headers: [(String, String)], body: Data,
        amzDate: String
    ) -> HTTPExchange.Request {
        let (base, host, path) = location(objectKey)
        let payloadHash = SHA256.hex(body)
        let request = SigV4.Request(
            method: method, path: path, query: query,
            headers: headers + [("host", host), ("x-amz-content-sha256", payloadHash)], payloadHash: payloadHash)
        let all = SigV4.sign(
            request, credentials: configuration.credentials, region: configuration.region, service: "s3",
            amzDate: amzDate)
        let queryString = query.isEmpty ? "" : "?" + SigV4.canonicalQuery(query)
        return HTTPExchange.Request(
            method: method, url: base + SigV4.encodePath(path) + queryString, headers: all.filter { $0.0 != "host" },
            body: body)
    }

    /// Scheme and authority, the Host header, and the decoded path, for either addressing style.
    func location(_ objectKey: String) -> (base: String, host: String, path: String) {
        let endpoint = configuration.endpoint
        let scheme = endpoint.hasPrefix("http://") ? "http://" : "https://"
        let authority = String(endpoint.dropFirst(scheme.count).prefix { $0 != "/" })
        switch configuration.addressing {
        case .path:
            return (
                scheme + authority, authority, "/\(configuration.bucket)" + (objectKey.isEmpty ? "" : "/\(objectKey)")
            )
        case .virtualHosted:
            let host = "\(configuration.bucket).\(authority)"
            return (scheme + host, host, "/\(objectKey)")
        }
    }

    /// Sends with retries: a 500, 503 or SlowDown answer, or no answer, waits 50 ms·2ⁿ plus jitter.
    func send(
        _ method: String, _ objectKey: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: Data = Data()
    ) async throws(StoreError) -> HTTPExchange.Response {
        var lastError = StoreError.unavailable("S3 \(method) \(objectKey): no attempt")
        for attempt in 0..<configuration.maxAttempts {
            if attempt > 0 {
                let base = 50 << min(attempt - 1, 6)
                try? await Task.sleep(for: .milliseconds(base + Int.random(in: 0...base)))
            }
            let request = signed(method, objectKey, query: query, headers: headers, body: body, amzDate: Self.amzDate())
            do {
                let response = try await transport.send(request)
                guard Self.isRetryable(response) else { return response }
                lastError = .unavailable(
                    "S3 \(method) \(objectKey): HTTP \(response.status), retried \(attempt + 1) times")
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    static func isRetryable(_ response: HTTPExchange.Response) -> Bool {
        if [500, 502, 503, 504].contains(response.status) { return true }
        return response.status >= 400
            && String(decoding: response.body.prefix(500), as: UTF8.self).contains("<Code>SlowDown</Code>")
    }

    /// `yyyyMMdd'T'HHmmss'Z'` now, in UTC.
    static func amzDate() -> String {
        let iso = UTC.iso8601(SystemClock().now())
        return iso.prefix(19).filter { $0 != "-" && $0 != ":" } + "Z"
    }

    /// ListObjectsV2 under the store's prefix, following continuation tokens until `limit` keys.
    public func list(prefix: String, startAfter: String?, limit: Int) async throws(StoreError) -> [StoreKey] {
        var keys: [StoreKey] = []
        var token: String? = nil
        let strip = configuration.prefix.isEmpty ? 0 : configuration.prefix.count + 1
        repeat {
            var query = [
                ("list-type", "2"), ("prefix", objectPrefix(prefix)),
                ("max-keys", String(min(1000, max(1, limit - keys.count)))),
            ]
            if let token {
                query.append(("continuation-token", token))
            } else if let startAfter {
                query.append(("start-after", objectPrefix(startAfter)))
            }
            let response = try await send("GET", "", query: query)
            guard response.status == 200 else {
                throw StoreError.unavailable(
                    "S3 list \(prefix): HTTP \(response.status) \(String(decoding: response.body.prefix(300), as: UTF8.self))"
                )
            }
            let page = ListResult(response.body)
            keys += page.keys.compactMap { StoreKey(String($0.dropFirst(strip))) }
            token = page.isTruncated ? page.continuationToken : nil
        } while token != nil && keys.count < limit
        return Array(keys.prefix(limit))
    }

    func objectPrefix(_ text: String) -> String {
        configuration.prefix.isEmpty ? text : "\(configuration.prefix)/\(text)"
    }
}

/// The parts of a ListObjectsV2 answer the store reads, without an XML library (FoundationXML
/// would add libxml2 to every binary).
struct ListResult {
    var keys: [String] = []
    var isTruncated = false
    var continuationToken: String?

    init(_ body: Data) {
        let text = String(decoding: body, as: UTF8.self)
        keys = Self.values(of: "Key", in: text)
        isTruncated = Self.values(of: "IsTruncated", in: text).first == "true"
        continuationToken = Self.values(of: "NextContinuationToken", in: text).first
    }

    static func values(of tag: String, in text: String) -> [String] {
        var values: [String] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "<\(tag)>"),
            let close = rest[open.upperBound...].firstRange(of: "</\(tag)>")
        {
            values.append(unescape(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return values
    }

    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        return String(text).replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
            .replacing("&apos;", with: "'").replacing("&amp;", with: "&")
    }
}
