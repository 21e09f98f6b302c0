import Hashing

/// AWS credentials, from the standard variables. The secret and session token never print.
public struct AWSCredentials: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: Secret
    public var sessionToken: Secret?

    public init(accessKeyID: String, secretAccessKey: Secret, sessionToken: Secret? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// AWS Signature Version 4, written over OpenSSL's SHA-256 and HMAC since no AWS SDK for Swift is
/// available. S3's rules: the path is URI-encoded once (keeping `/`), query names and values are
/// encoded (including `/`, `+`, `=`) and sorted, headers are lowercased, trimmed and sorted.
public enum SigV4 {
    /// One request to sign. `path` and `query` are decoded; the signer encodes them.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        public var payloadHash: String

        public init(
            method: String, path: String, query: [(String, String)] = [], headers: [(String, String)],
            payloadHash: String
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The canonical request and the list of signed header names.
    public static func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        let headers = canonicalHeaders(request.headers)
        let signed = headers.map(\.0).joined(separator: ";")
        let lines = [
            request.method, encodePath(request.path), canonicalQuery(request.query),
            headers.map { "\($0.0):\($0.1)\n" }.joined(), signed, request.payloadHash,
        ]
        return (lines.joined(separator: "\n"), signed)
    }

    /// `date/region/service/aws4_request`
    public static func scope(amzDate: String, region: String, service: String) -> String {
        "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
    }

    public static func stringToSign(canonicalRequest: String, amzDate: String, scope: String) -> String {
        ["AWS4-HMAC-SHA256", amzDate, scope, SHA256.hex(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// The hex signature: HMAC of the string to sign under the key derived for date, region and service.
    public static func signature(stringToSign: String, secret: Secret, amzDate: String, region: String, service: String)
        -> String
    {
        var key = HMAC.sha256(key: Array("AWS4\(secret.value)".utf8), Array(amzDate.prefix(8).utf8))
        for part in [region, service, "aws4_request"] { key = HMAC.sha256(key: key, Array(part.utf8)) }
        return Hex.encode(HMAC.sha256(key: key, Array(stringToSign.utf8)))
    }

    /// Adds `x-amz-date` (and `x-amz-security-token` with a session token) to the request's headers,
    /// signs it, and returns every header to send, `Authorization` included.
    public static func sign(
        _ request: Request, credentials: AWSCredentials, region: String, service: String, amzDate: String
    ) -> [(String, String)] {
        var request = request
        request.headers.append(("x-amz-date", amzDate))
        if let token = credentials.sessionToken { request.headers.append(("x-amz-security-token", token.value)) }
        let (canonical, signedHeaders) = canonicalRequest(request)
        let scope = scope(amzDate: amzDate, region: region, service: service)
        let signature = signature(
            stringToSign: stringToSign(canonicalRequest: canonical, amzDate: amzDate, scope: scope),
            secret: credentials.secretAccessKey, amzDate: amzDate, region: region, service: service)
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return request.headers + [("Authorization", authorization)]
    }

    /// Lowercased names, values trimmed with inner runs of spaces folded, duplicates joined by commas.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(String, String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let folded = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(folded)
        }
        return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (encode($0.0, keepSlash: false), encode($0.1, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// The path as it goes on the wire and into the canonical request: encoded once, `/` kept.
    public static func encodePath(_ path: String) -> String { encode(path, keepSlash: true) }

    /// RFC 3986 encoding: unreserved characters stay, every other byte becomes `%XX` (uppercase).
    public static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += "%" + Hex.encode([byte]).uppercased()
            }
        }
        return out
    }
}
