import Egress
import Foundation
import Hashing
import Ingress
import Logging
import Workflow

/// Reading the tenants file of CONTRACT.md: secrets written `env:NAME` or `file:/path`.
extension Tenants {
    struct File: Decodable {
        struct App: Decodable {
            var appId: Int64?
            var privateKey: String?
            var webhookSecret: String?
        }
        struct GitHub: Decodable {
            var installationId: Int64?
            var webhookSecret: String?
            var token: String?
            /// The tenant's own repository webhook, whose failed deliveries are asked for again.
            var hookId: Int64?
            /// `owner/repo` of that webhook.
            var hookRepository: String?
        }
        struct CI: Decodable {
            var provider: String
            var workflow: String?
            var ref: String?
            var organization: String?
            var pipeline: String?
            var apiToken: String?
            var webhookSecret: String?
            var webhookToken: String?
        }
        struct Limits: Decodable {
            var maxMutants: Int?
            var maxConcurrentJobs: Int?
            var jobTimeoutSeconds: Int64?
            var maxAttempts: Int?
            var retryBaseSeconds: Int64?
            /// At most this many dispatches per repository in any `dispatchWindowSeconds`.
            var maxDispatches: Int?
            var dispatchWindowSeconds: Int64?
            var baselineRuns: Int?
            var mutantsPerRun: Int?
        }
        struct Entry: Decodable {
            var id: String
            var github: GitHub?
            var ci: CI?
            var apiToken: String?
            var limits: Limits?
            var threshold: Double?
            var measureDrafts: Bool?
        }
        var githubApp: App?
        var tenants: [Entry]
    }

    /// Loads and resolves the file at `path`.
    public static func load(path: String, environment: [String: String], logger: Logger) throws(ConfigError) -> Tenants
    {
        guard let data = FileManager.default.contents(atPath: path) else { throw .tenants("cannot read \(path)") }
        return try parse(data, environment: environment, logger: logger)
    }

    public static func parse(_ data: Data, environment: [String: String], logger: Logger) throws(ConfigError) -> Tenants
    {
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch { throw .tenants("not valid: \(error)") }
        let resolver = SecretResolver(environment: environment, logger: logger)
        var tenants: [Tenant] = []
        for entry in file.tenants {
            guard Identifier.isValidTenant(entry.id) else {
                throw .tenants("tenant id \"\(entry.id)\" is not [a-z0-9-]{1,63}")
            }
            guard !tenants.contains(where: { $0.id == entry.id }) else {
                throw .tenants("tenant \(entry.id) appears twice")
            }
            tenants.append(try tenant(entry, resolver))
        }
        try checkInstallations(tenants)
        return Tenants(
            tenants, appWebhookSecret: try appSecret(file.githubApp, resolver), app: try app(file.githubApp, resolver))
    }

    /// One installation, one tenant: App deliveries find their tenant by it.
    static func checkInstallations(_ tenants: [Tenant]) throws(ConfigError) {
        var owners: [Int64: String] = [:]
        for tenant in tenants {
            guard let installation = tenant.installationID else { continue }
            if let other = owners[installation] {
                throw .tenants("github.installationId \(installation) is claimed by both \(other) and \(tenant.id)")
            }
            owners[installation] = tenant.id
        }
    }

    private static func appSecret(_ app: File.App?, _ resolver: SecretResolver) throws(ConfigError) -> Secret? {
        guard let reference = app?.webhookSecret else { return nil }
        return try resolver.resolve(reference, "githubApp.webhookSecret")
    }

    private static func app(_ app: File.App?, _ resolver: SecretResolver) throws(ConfigError) -> GitHubApp? {
        guard let app, let appID = app.appId, let key = app.privateKey else { return nil }
        return GitHubApp(appID: appID, privateKey: try resolver.resolve(key, "githubApp.privateKey"))
    }

    private static func tenant(_ entry: File.Entry, _ resolver: SecretResolver) throws(ConfigError) -> Tenant {
        let limits = entry.limits
        let defaults = Settings()
        let baselineRuns = limits?.baselineRuns ?? defaults.baselineRuns
        guard (1...Settings.maxBaselineRuns).contains(baselineRuns) else {
            throw .tenants("\(entry.id).limits.baselineRuns \(baselineRuns) is not 1…\(Settings.maxBaselineRuns)")
        }
        let mutantsPerRun = limits?.mutantsPerRun ?? defaults.mutantsPerRun
        guard (1...Settings.maxMutantsPerRun).contains(mutantsPerRun) else {
            throw .tenants("\(entry.id).limits.mutantsPerRun \(mutantsPerRun) is not 1…\(Settings.maxMutantsPerRun)")
        }
        let settings = Settings(
            maxMutants: limits?.maxMutants ?? defaults.maxMutants,
            maxConcurrentJobs: limits?.maxConcurrentJobs ?? defaults.maxConcurrentJobs,
            jobTimeoutSeconds: limits?.jobTimeoutSeconds ?? defaults.jobTimeoutSeconds,
            maxAttempts: limits?.maxAttempts ?? defaults.maxAttempts,
            retryBaseSeconds: limits?.retryBaseSeconds ?? defaults.retryBaseSeconds,
            threshold: entry.threshold ?? defaults.threshold, baselineRuns: baselineRuns, mutantsPerRun: mutantsPerRun)
        func secret(_ ref: String?, _ field: String) throws(ConfigError) -> Secret? {
            guard let ref else { return nil }
            return try resolver.resolve(ref, "\(entry.id).\(field)")
        }
        var tenant = Tenant(
            id: entry.id, installationID: entry.github?.installationId,
            githubWebhookSecret: try secret(entry.github?.webhookSecret, "github.webhookSecret"),
            githubToken: try secret(entry.github?.token, "github.token"),
            ci: try provider(entry, secret),
            apiToken: try secret(entry.apiToken, "apiToken"), settings: settings,
            measureDrafts: entry.measureDrafts ?? false,
            dispatchPace: DispatchPace(
                count: limits?.maxDispatches ?? DispatchPace().count,
                seconds: limits?.dispatchWindowSeconds ?? DispatchPace().seconds))
        tenant.hook = try hook(entry)
        return tenant
    }

    /// The tenant's own repository webhook: `github.hookId` with `github.hookRepository` (`owner/repo`).
    private static func hook(_ entry: File.Entry) throws(ConfigError) -> RepositoryHook? {
        guard let id = entry.github?.hookId else { return nil }
        let parts = (entry.github?.hookRepository ?? "").split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, GitHubWebhook.isOwnerName(String(parts[0])),
            GitHubWebhook.isRepositoryName(String(parts[1]))
        else {
            throw .tenants("\(entry.id).github.hookRepository must name the webhook's repository as owner/repo")
        }
        return RepositoryHook(id: id, owner: String(parts[0]), repo: String(parts[1]))
    }
}

extension Tenants {
    fileprivate static func provider(
        _ entry: File.Entry, _ secret: (String?, String) throws(ConfigError) -> Secret?
    ) throws(ConfigError) -> TenantCI {
        guard let ci = entry.ci, ci.provider != CIProvider.githubActions.rawValue else {
            return .githubActions(workflow: entry.ci?.workflow ?? "tinybug-mutant.yml", ref: entry.ci?.ref ?? "main")
        }
        guard ci.provider == CIProvider.buildkite.rawValue else {
            let known = CIProvider.allCases.map(\.rawValue).joined(separator: " or ")
            throw .tenants("\(entry.id).ci.provider: expected \(known), got \(ci.provider)")
        }
        guard let organization = ci.organization, let pipeline = ci.pipeline else {
            throw .tenants("\(entry.id).ci: a buildkite provider needs organization and pipeline")
        }
        let webhookSecret = try secret(ci.webhookSecret, "ci.webhookSecret")
        let webhookToken = try secret(ci.webhookToken, "ci.webhookToken")
        guard webhookSecret != nil || webhookToken != nil else {
            throw .tenants("\(entry.id).ci: a buildkite provider needs webhookSecret (or webhookToken)")
        }
        return .buildkite(
            organization: organization, pipeline: pipeline, apiToken: try secret(ci.apiToken, "ci.apiToken"),
            webhookSecret: webhookSecret, webhookToken: webhookToken)
    }
}

/// Turns `env:NAME`, `file:/path` or a literal into a secret, never logging the value.
struct SecretResolver {
    var environment: [String: String]
    var logger: Logger

    func resolve(_ reference: String, _ field: String) throws(ConfigError) -> Secret {
        let secret = try value(reference, field)
        guard !secret.isBlank else {
            throw .tenants("\(field): the secret is empty; an empty secret never authenticates")
        }
        return secret
    }

    private func value(_ reference: String, _ field: String) throws(ConfigError) -> Secret {
        if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard let value = environment[name], !value.isEmpty else {
                throw .tenants("\(field): variable \(name) is not set")
            }
            return Secret(value)
        }
        if reference.hasPrefix("file:") {
            let path = String(reference.dropFirst(5))
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .tenants("\(field): cannot read \(path)")
            }
            return Secret(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        logger.warning(
            "A secret is written literally in the tenants file; use env: or file: outside local use",
            metadata: ["field": "\(field)"])
        return Secret(reference)
    }
}
