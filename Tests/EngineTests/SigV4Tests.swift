import Engine
import Hashing
import Testing

/// AWS's published Signature V4 vectors (the aws-c-auth suite and the S3 documentation's worked
/// examples) and botocore's S3 signatures for the requests the S3 store sends.
struct SigV4Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: [(String, String)]
        var headers: [(String, String)]
        var payloadHash: String
        var token: String?
        var signature: String
        var testDescription: String { name }
    }

    struct S3Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var query: [(String, String)]
        var headers: [(String, String)]
        var payloadHash: String
        var accessKey: String
        var secretKey: String
        var amzDate: String
        var signature: String
        var testDescription: String { name }
    }

    // Credentials, time, region and service of the aws-c-auth suite.
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))

    static let suite: [Vector] = [
        Vector(
            name: "get-vanilla", method: "GET", path: "/", query: [], headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "get-vanilla-query", method: "GET", path: "/", query: [],
            headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(
            name: "get-vanilla-query-order-key-case", method: "GET", path: "/",
            query: [("Param2", "value2"), ("Param1", "value1")], headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(
            name: "get-vanilla-query-unreserved", method: "GET", path: "/",
            query: [
                (
                    "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                    "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                )
            ], headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        Vector(
            name: "get-vanilla-utf8-query", method: "GET", path: "/", query: [("ሴ", "bar")],
            headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Vector(
            name: "get-utf8", method: "GET", path: "/ሴ", query: [], headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        Vector(
            name: "get-space-unnormalized", method: "GET", path: "/example space/", query: [],
            headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        Vector(
            name: "get-slashes-unnormalized", method: "GET", path: "//example//", query: [],
            headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5"),
        Vector(
            name: "get-relative-unnormalized", method: "GET", path: "/example/..", query: [],
            headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282"),
        Vector(
            name: "get-header-key-duplicate", method: "GET", path: "/", query: [],
            headers: [
                ("Host", "example.amazonaws.com"), ("My-Header1", "value2"), ("My-Header1", "value2"),
                ("My-Header1", "value1"),
            ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        Vector(
            name: "get-header-value-order", method: "GET", path: "/", query: [],
            headers: [
                ("Host", "example.amazonaws.com"), ("My-Header1", "value4"), ("My-Header1", "value1"),
                ("My-Header1", "value3"), ("My-Header1", "value2"),
            ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        Vector(
            name: "get-header-value-trim", method: "GET", path: "/", query: [],
            headers: [("Host", "example.amazonaws.com"), ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Vector(
            name: "get-vanilla-with-session-token", method: "GET", path: "/", query: [],
            headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            token: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
            signature: "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
        Vector(
            name: "post-vanilla", method: "POST", path: "/", query: [], headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(
            name: "post-vanilla-query", method: "POST", path: "/", query: [("Param1", "value1")],
            headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        Vector(
            name: "get-vanilla-empty-query-key", method: "GET", path: "/", query: [("Param1", "value1")],
            headers: [("Host", "example.amazonaws.com")],
            payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", token: nil,
            signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        Vector(
            name: "post-x-www-form-urlencoded", method: "POST", path: "/", query: [],
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com"),
                ("Content-Length", "13"),
                ("x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"),
            ], payloadHash: "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e", token: nil,
            signature: "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"),

    ]

    static let s3: [S3Vector] = [
        S3Vector(
            name: "s3-doc-get-object", method: "GET", path: "/test.txt", query: [],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                ("x-amz-date", "20130524T000000Z"),
            ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            amzDate: "20130524T000000Z", signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        S3Vector(
            name: "s3-doc-put-object", method: "PUT", path: "/test$file.text", query: [],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"),
            ], payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
            accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            amzDate: "20130524T000000Z", signature: "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        S3Vector(
            name: "s3-doc-get-bucket-lifecycle", method: "GET", path: "/", query: [("lifecycle", "")],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
                ("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            amzDate: "20130524T000000Z", signature: "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        S3Vector(
            name: "s3-doc-list-objects", method: "GET", path: "/", query: [("max-keys", "2"), ("prefix", "J")],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
                ("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            amzDate: "20130524T000000Z", signature: "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
        S3Vector(
            name: "put-if-none-match", method: "PUT", path: "/wf-bucket/workflows/run-42.json", query: [],
            headers: [
                ("Content-Type", "application/json"), ("If-None-Match", "*"), ("X-Amz-Date", "20261124T120000Z"),
                ("X-Amz-Content-SHA256", "facdfcf4326bab7b3264a5ae9fad8422fa7fdb8549dcb32826044b24015fb062"),
                ("host", "127.0.0.1:45123"),
            ], payloadHash: "facdfcf4326bab7b3264a5ae9fad8422fa7fdb8549dcb32826044b24015fb062", accessKey: "AKIDTEST",
            secretKey: "secretTEST/with+chars", amzDate: "20261124T120000Z",
            signature: "3e2166406e1ba62767421ee4dd0708c4f7b0a074b0539e40eafae50c11884f57"),
        S3Vector(
            name: "put-if-match", method: "PUT", path: "/wf-bucket/workflows/run-42.json", query: [],
            headers: [
                ("Content-Type", "application/json"), ("If-Match", "\"a191475ae2bf7db9c7e320f7da455bbb\""),
                ("X-Amz-Date", "20261124T120000Z"),
                ("X-Amz-Content-SHA256", "facdfcf4326bab7b3264a5ae9fad8422fa7fdb8549dcb32826044b24015fb062"),
                ("host", "127.0.0.1:45123"),
            ], payloadHash: "facdfcf4326bab7b3264a5ae9fad8422fa7fdb8549dcb32826044b24015fb062", accessKey: "AKIDTEST",
            secretKey: "secretTEST/with+chars", amzDate: "20261124T120000Z",
            signature: "c9eed4cf17c4f77a3be99e58e5282d23cb39eda4df11bc6f9022cccdd015e348"),
        S3Vector(
            name: "get-object", method: "GET", path: "/wf-bucket/workflows/run-42.json", query: [],
            headers: [
                ("X-Amz-Date", "20261124T120000Z"),
                ("X-Amz-Content-SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                ("host", "127.0.0.1:45123"),
            ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", accessKey: "AKIDTEST",
            secretKey: "secretTEST/with+chars", amzDate: "20261124T120000Z",
            signature: "2961d8e9a41c62391617467f03af2c02525f0e997f376b59c93a295c3a7675c5"),
        S3Vector(
            name: "get-object-if-none-match", method: "GET", path: "/wf-bucket/workflows/run-42.json", query: [],
            headers: [
                ("If-None-Match", "\"a191475ae2bf7db9c7e320f7da455bbb\""), ("X-Amz-Date", "20261124T120000Z"),
                ("X-Amz-Content-SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                ("host", "127.0.0.1:45123"),
            ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", accessKey: "AKIDTEST",
            secretKey: "secretTEST/with+chars", amzDate: "20261124T120000Z",
            signature: "348d886d60a596b14f548a198deb3a1944ae7ffe368bb660e058e74e58acae61"),
        S3Vector(
            name: "delete-if-match", method: "DELETE", path: "/wf-bucket/workflows/run-42.json", query: [],
            headers: [
                ("If-Match", "\"a191475ae2bf7db9c7e320f7da455bbb\""), ("X-Amz-Date", "20261124T120000Z"),
                ("X-Amz-Content-SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                ("host", "127.0.0.1:45123"),
            ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", accessKey: "AKIDTEST",
            secretKey: "secretTEST/with+chars", amzDate: "20261124T120000Z",
            signature: "696083aa8bac07ad1d3977599e65ecb2693376195dd2a87995eb3ea8bd60073a"),
        S3Vector(
            name: "key-with-space-unicode-plus", method: "PUT", path: "/wf-bucket/runs x/spécial+key=1.json", query: [],
            headers: [
                ("Content-Type", "application/json"), ("X-Amz-Date", "20261124T120000Z"),
                ("X-Amz-Content-SHA256", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
                ("host", "127.0.0.1:45123"),
            ], payloadHash: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", accessKey: "AKIDTEST",
            secretKey: "secretTEST/with+chars", amzDate: "20261124T120000Z",
            signature: "a2cbf09497e35b3d55b64efe77249251b4cb8972f3b5a3f99531bb6554992618"),
        S3Vector(
            name: "list-objects-v2", method: "GET", path: "/wf-bucket",
            query: [
                ("list-type", "2"), ("prefix", "workflows/"), ("max-keys", "3"),
                ("start-after", "workflows/run-1.json"),
                ("continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="),
            ],
            headers: [
                ("X-Amz-Date", "20261124T120000Z"),
                ("X-Amz-Content-SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                ("host", "127.0.0.1:45123"),
            ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", accessKey: "AKIDTEST",
            secretKey: "secretTEST/with+chars", amzDate: "20261124T120000Z",
            signature: "055e015d3c4e5df2342ae870ecf0dc4bdc5e9617cb9dcdf3e7d1b1b175655491"),
        S3Vector(
            name: "list-objects-v2-encoding-type", method: "GET", path: "/wf-bucket",
            query: [("list-type", "2"), ("prefix", "a b/ü"), ("encoding-type", "url"), ("delimiter", "/")],
            headers: [
                ("X-Amz-Date", "20261124T120000Z"),
                ("X-Amz-Content-SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                ("host", "127.0.0.1:45123"),
            ], payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", accessKey: "AKIDTEST",
            secretKey: "secretTEST/with+chars", amzDate: "20261124T120000Z",
            signature: "57abc9fd8ddd8f33130879b293ae08edbacb98a9e81c438b7e07cbb57f164d03"),
    ]

    @Test(arguments: suite)
    func `the aws-c-auth suite's signatures are reproduced`(vector: Vector) {
        var credentials = Self.credentials
        credentials.sessionToken = vector.token.map(Secret.init)
        let request = SigV4.Request(
            method: vector.method, path: vector.path, query: vector.query, headers: vector.headers,
            payloadHash: vector.payloadHash)
        let headers = SigV4.sign(
            request, credentials: credentials, region: "us-east-1", service: "service", amzDate: "20150830T123600Z")
        let authorization = headers.first { $0.0 == "Authorization" }?.1 ?? ""
        #expect(authorization.hasSuffix("Signature=\(vector.signature)"), "\(authorization)")
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders="))
    }

    @Test(arguments: s3)
    func `S3's worked examples and botocore's S3 requests are reproduced`(vector: S3Vector) {
        let request = SigV4.Request(
            method: vector.method, path: vector.path, query: vector.query, headers: vector.headers,
            payloadHash: vector.payloadHash)
        let (canonical, _) = SigV4.canonicalRequest(request)
        let scope = SigV4.scope(amzDate: vector.amzDate, region: "us-east-1", service: "s3")
        let signature = SigV4.signature(
            stringToSign: SigV4.stringToSign(canonicalRequest: canonical, amzDate: vector.amzDate, scope: scope),
            secret: Secret(vector.secretKey), amzDate: vector.amzDate, region: "us-east-1", service: "s3")
        #expect(signature == vector.signature, "\(canonical)")
    }

    @Test func `the S3 GET-object example gives its documented signature`() {
        let request = SigV4.Request(
            method: "GET", path: "/test.txt",
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", SigV4.emptyPayloadHash),
            ],
            payloadHash: SigV4.emptyPayloadHash)
        let credentials = AWSCredentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
        let headers = SigV4.sign(
            request, credentials: credentials, region: "us-east-1", service: "s3", amzDate: "20130524T000000Z")
        #expect(
            headers.last?.1
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test(arguments: [
        ("a b/ü+=", "a%20b/%C3%BC%2B%3D"), ("-._~", "-._~"),
        ("runs x/spécial+key=1.json", "runs%20x/sp%C3%A9cial%2Bkey%3D1.json"),
    ])
    func `paths are encoded once, keeping slashes`(path: String, encoded: String) {
        #expect(SigV4.encodePath(path) == encoded)
    }
}
