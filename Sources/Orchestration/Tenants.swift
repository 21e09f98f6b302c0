import Egress
import Foundation
import Hashing
import Ingress
import Logging
import Workflow

/// Where a tenant's CI runs.
public enum TenantCI: Sendable {
    /// A `workflow_dispatch` workflow file, taken from branch `ref`.
    case githubActions(workflow: String, ref: String)
    /// A Buildkite pipeline; its webhooks are signed with `webhookSecret` or carry `webhookToken`.
    case buildkite(
        organization: String, pipeline: String, apiToken: Secret?, webhookSecret: Secret?, webhookToken: Secret?)

    public var provider: CIProvider {
        switch self {
        case .githubActions: .githubActions
        case .buildkite: .buildkite
        }
    }

    /// How deliveries on the provider's own webhook route are authenticated; nil when its runs
    /// report through the GitHub routes.
    public var webhookCredentials: CIWebhookCredentials? {
        switch self {
        case .githubActions: nil
        case .buildkite(_, _, _, let secret, let token): CIWebhookCredentials(secret: secret, token: token)
        }
    }

    /// The CI service that runs the tenant's jobs, for one effect.
    func service(_ endpoints: Endpoints) -> (@Sendable (GitHubClient, RESTClientPool) -> any CIService)? {
        switch self {
        case .githubActions(let workflow, let ref):
            return { github, _ in GitHubActionsService(client: github, workflow: workflow, ref: ref) }
        case .buildkite(let organization, let pipeline, let apiToken, _, _):
            guard let apiToken else { return nil }
            let api = endpoints.buildkite
            return { _, clients in
                let rest = clients.client(api, token: apiToken, headers: BuildkiteClient.headers)
                return BuildkiteService(
                    client: BuildkiteClient(rest: rest, organization: organization, pipeline: pipeline))
            }
        }
    }
}

/// One customer, with its secrets resolved.
public struct Tenant: Sendable {
    public var id: String
    public var installationID: Int64?
    public var githubWebhookSecret: Secret?
    public var githubToken: Secret?
    public var ci: TenantCI
    public var apiToken: Secret?
    public var settings: Settings
    /// Draft PRs are measured only when the tenant opts in.
    public var measureDrafts: Bool
    /// How fast one of the tenant's repositories may have CI runs dispatched.
    public var dispatchPace: DispatchPace
    /// The tenant's own repository webhook, whose failed deliveries are asked for again.
    public var hook: RepositoryHook?

    public init(
        id: String, installationID: Int64? = nil, githubWebhookSecret: Secret?, githubToken: Secret?,
        ci: TenantCI = .githubActions(workflow: "tinybug-mutant.yml", ref: "main"), apiToken: Secret? = nil,
        settings: Settings = Settings(), measureDrafts: Bool = false, dispatchPace: DispatchPace = DispatchPace()
    ) {
        self.dispatchPace = dispatchPace
        self.id = id
        self.installationID = installationID
        self.githubWebhookSecret = githubWebhookSecret
        self.githubToken = githubToken
        self.ci = ci
        self.apiToken = apiToken
        self.settings = settings
        self.measureDrafts = measureDrafts
    }

    /// Where this tenant's effects go: its token, else the GitHub App through its installation.
    func target(_ endpoints: Endpoints, app: GitHubApp?) -> CITarget? {
        let auth: GitHubAuth
        if let githubToken {
            auth = .token(githubToken)
        } else if let app, let installationID {
            auth = .app(app, installationID: installationID)
        } else {
            return nil
        }
        guard let service = ci.service(endpoints) else { return nil }
        return CITarget(githubAPI: endpoints.github, githubAuth: auth, service: service)
    }
}

/// The tenants file, resolved: every tenant by id and by installation.
public struct Tenants: Sendable {
    public var all: [String: Tenant]
    public var appWebhookSecret: Secret?
    public var app: GitHubApp?

    public init(_ tenants: [Tenant], appWebhookSecret: Secret? = nil, app: GitHubApp? = nil) {
        all = Dictionary(tenants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.appWebhookSecret = appWebhookSecret
        self.app = app
    }

    public subscript(id: String) -> Tenant? { all[id] }

    public func byInstallation(_ id: Int64) -> Tenant? { all.values.first { $0.installationID == id } }
}

/// The REST bases Tinybug calls: GitHub's and each CI provider's (Enterprise servers and tests change them).
public struct Endpoints: Sendable {
    public var github: String
    public var ci: [CIProvider: String]

    public init(github: String = "https://api.github.com", ci: [CIProvider: String] = [:]) {
        self.github = github
        self.ci = ci
    }

    public init(github: String = "https://api.github.com", buildkite: String) {
        self.init(github: github, ci: [.buildkite: buildkite])
    }

    /// Buildkite's REST base.
    var buildkite: String { ci[.buildkite] ?? CIProvider.buildkite.defaultAPI }
}

extension Tenants {
    /// The tenant `id`, or the contract's 404.
    public func require(_ id: String) throws(ContractError) -> Tenant {
        guard let tenant = all[id] else { throw ContractError(404, "unknown tenant \(id)") }
        return tenant
    }

    /// The GitHub App's webhook secret, or the contract's 404 when no App is configured.
    public func requireAppSecret() throws(ContractError) -> Secret {
        guard let appWebhookSecret else { throw ContractError(404, "no GitHub App is configured") }
        return appWebhookSecret
    }
}

/// A repository webhook by its id (CONTRACT.md's `github.hookId`) and repository.
public struct RepositoryHook: Sendable, Equatable {
    public var id: Int64
    public var owner: String
    public var repo: String

    public init(id: Int64, owner: String, repo: String) {
        self.id = id
        self.owner = owner
        self.repo = repo
    }
}
