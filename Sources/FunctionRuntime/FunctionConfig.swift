import Engine
import Foundation
import Hashing
import Orchestration
import Workflow

/// Where documents are stored, from `TINYBUG_STORE`.
public enum StoreLocation: Equatable, Sendable {
    case file(path: String)
    case s3(bucket: String, prefix: String)

    /// Parses `file:///path`, `file://./relative` or `s3://bucket/prefix`.
    public init(_ text: String) throws(ConfigError) {
        if text.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            guard !path.isEmpty else { throw .invalid("TINYBUG_STORE", "a file store needs a path: \(text)") }
            self = .file(path: path)
        } else if text.hasPrefix("s3://") {
            let rest = text.dropFirst("s3://".count)
            let bucket = rest.prefix { $0 != "/" }
            guard !bucket.isEmpty else { throw .invalid("TINYBUG_STORE", "an S3 store needs a bucket: \(text)") }
            let prefix = rest.dropFirst(bucket.count).drop { $0 == "/" }
            self = .s3(bucket: String(bucket), prefix: String(prefix))
        } else {
            throw .invalid("TINYBUG_STORE", "expected file:///path or s3://bucket/prefix, got \(text)")
        }
    }
}

/// Everything a function reads from its environment, read once at start-up (12-factor).
public struct FunctionConfig: Sendable {
    public var host: String
    public var port: Int
    public var store: StoreLocation
    public var s3Endpoint: String?
    public var tenantsPath: String
    public var githubAPI: String
    /// Each CI provider's REST base, by provider (from its `*_API_URL` variable).
    public var ciAPIs: [CIProvider: String]
    public var timerToken: Secret?
    public var adminToken: Secret?
    /// Body sizes, buffered bytes and the header, body and idle timeouts.
    public var limits: ServerLimits
    /// What start-up should warn about (an empty token disables its route).
    public var warnings: [String]
    /// Seconds between ticks of `tinybug serve`'s internal timer.
    public var tickSeconds: Double
    /// How long an effect may run before a timer runs it again (`TINYBUG_EFFECT_LEASE_SECONDS`).
    public var effectLeaseSeconds: Int64
    /// How often the timer looks for failed webhook deliveries to ask GitHub for again
    /// (`TINYBUG_REDELIVERY_SECONDS`, default 300; 0 at every tick).
    public var redeliverySeconds: Int64
    /// Fault points to arm (`TINYBUG_FAULTS`, for fault-injection tests only).
    public var faults: [FaultPoint: Double]
    /// The whole environment, for `env:` secrets in the tenants file.
    public var environment: [String: String]

    /// Every variable a function reads: CONTRACT.md's, plus `HOST`, `TINYBUG_TICK_SECONDS`, `LOG_FORMAT`,
    /// `LOG_LEVEL`, `TINYBUG_EFFECT_LEASE_SECONDS` and `TINYBUG_FAULTS`.
    public static let variables: Set<String> = Set(
        [
            "PORT", "HOST", "TINYBUG_STORE", "TINYBUG_S3_ENDPOINT", "AWS_REGION", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN", "TINYBUG_TENANTS", "GITHUB_API_URL", "TINYBUG_TIMER_TOKEN",
            "TINYBUG_ADMIN_TOKEN", "TINYBUG_TICK_SECONDS", "LOG_FORMAT", "LOG_LEVEL", "TINYBUG_EFFECT_LEASE_SECONDS",
            "TINYBUG_FAULTS", "TINYBUG_HEADER_TIMEOUT_SECONDS", "TINYBUG_BODY_TIMEOUT_SECONDS",
            "TINYBUG_IDLE_TIMEOUT_SECONDS", "TINYBUG_MAX_BUFFERED_BYTES", "TINYBUG_REDELIVERY_SECONDS",
        ] + CIProvider.allCases.compactMap(\.apiVariable))

    public init(environment: [String: String]) throws(ConfigError) {
        self.environment = environment
        host = environment["HOST"] ?? "127.0.0.1"
        guard let port = Int(environment["PORT"] ?? "8080"), (0...65535).contains(port) else {
            throw .invalid("PORT", "not a port number: \(environment["PORT"] ?? "")")
        }
        self.port = port
        store = try StoreLocation(environment["TINYBUG_STORE"] ?? "file://./.tinybug")
        s3Endpoint = environment["TINYBUG_S3_ENDPOINT"]
        tenantsPath = environment["TINYBUG_TENANTS"] ?? "./tenants.json"
        githubAPI = environment["GITHUB_API_URL"] ?? "https://api.github.com"
        ciAPIs = Dictionary(
            uniqueKeysWithValues: CIProvider.allCases.compactMap { provider in
                provider.apiVariable.map { (provider, environment[$0] ?? provider.defaultAPI) }
            })
        (timerToken, adminToken) = (
            Self.token(environment, "TINYBUG_TIMER_TOKEN"), Self.token(environment, "TINYBUG_ADMIN_TOKEN")
        )
        warnings = ["TINYBUG_TIMER_TOKEN", "TINYBUG_ADMIN_TOKEN"].compactMap { name in
            environment[name].map(Secret.init)?.isBlank == true
                ? "\(name) is empty: its route refuses every request" : nil
        }
        limits = try Self.limits(environment)
        guard let tick = Double(environment["TINYBUG_TICK_SECONDS"] ?? "15"), tick > 0 else {
            throw .invalid("TINYBUG_TICK_SECONDS", "not a positive number")
        }
        tickSeconds = tick
        guard let lease = Int64(environment["TINYBUG_EFFECT_LEASE_SECONDS"] ?? "60"), lease > 0 else {
            throw .invalid("TINYBUG_EFFECT_LEASE_SECONDS", "not a positive whole number")
        }
        effectLeaseSeconds = lease
        guard
            let redelivery = Int64(
                environment["TINYBUG_REDELIVERY_SECONDS"] ?? "\(Orchestrator.defaultRedeliverySeconds)"),
            redelivery >= 0
        else {
            throw .invalid("TINYBUG_REDELIVERY_SECONDS", "not a whole number of seconds")
        }
        redeliverySeconds = redelivery
        do { faults = try Faults.parse(environment["TINYBUG_FAULTS"] ?? "") } catch {
            throw .invalid("TINYBUG_FAULTS", error.description)
        }
    }
}

extension FunctionConfig {
    /// `TINYBUG_HEADER_TIMEOUT_SECONDS` (10), `TINYBUG_BODY_TIMEOUT_SECONDS` (30),
    /// `TINYBUG_IDLE_TIMEOUT_SECONDS` (60) and `TINYBUG_MAX_BUFFERED_BYTES` (64 MiB).
    static func limits(_ environment: [String: String]) throws(ConfigError) -> ServerLimits {
        var limits = ServerLimits()
        func seconds(_ name: String, _ value: inout Duration) throws(ConfigError) {
            guard let text = environment[name] else { return }
            guard let number = Double(text), number.isFinite, (0.001...86_400).contains(number) else {
                throw .invalid(name, "not a number of seconds between 0.001 and 86400")
            }
            value = .milliseconds(Int64(number * 1000))
        }
        try seconds("TINYBUG_HEADER_TIMEOUT_SECONDS", &limits.headerTimeout)
        try seconds("TINYBUG_BODY_TIMEOUT_SECONDS", &limits.bodyTimeout)
        try seconds("TINYBUG_IDLE_TIMEOUT_SECONDS", &limits.idleTimeout)
        if let text = environment["TINYBUG_MAX_BUFFERED_BYTES"] {
            guard let bytes = Int(text), bytes >= limits.maxBodyBytes else {
                throw .invalid("TINYBUG_MAX_BUFFERED_BYTES", "a whole number of at least \(limits.maxBodyBytes) bytes")
            }
            limits.maxBufferedBytes = bytes
        }
        return limits
    }

    /// A bearer token from the environment; an empty or blank one is no token at all.
    static func token(_ environment: [String: String], _ name: String) -> Secret? {
        environment[name].map(Secret.init).flatMap { $0.isBlank ? nil : $0 }
    }

    /// The S3 store's settings from the standard AWS variables. With `TINYBUG_S3_ENDPOINT` set
    /// (an S3-compatible server) requests are path-style; against AWS, virtual-hosted.
    public func s3Configuration(bucket: String, prefix: String) throws(ConfigError) -> S3Store.Configuration {
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty else {
            throw .invalid("AWS_ACCESS_KEY_ID", "the S3 store needs credentials")
        }
        guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw .invalid("AWS_SECRET_ACCESS_KEY", "the S3 store needs credentials")
        }
        let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let credentials = AWSCredentials(
            accessKeyID: key, secretAccessKey: Secret(secret),
            sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : Secret($0) })
        let endpoint = s3Endpoint.flatMap { $0.isEmpty ? nil : $0 }
        return S3Store.Configuration(
            endpoint: endpoint ?? "https://s3.\(region).amazonaws.com", bucket: bucket, prefix: prefix, region: region,
            credentials: credentials, addressing: endpoint == nil ? .virtualHosted : .path)
    }
}
