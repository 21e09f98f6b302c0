import Egress
import Foundation
import Hashing
import Logging
import Workflow

/// One customer, with its secrets resolved.
public struct Tenant: Sendable {
    public var id: String
    public var installationID: Int64?
    public var githubWebhookSecret: Secret?
    public var githubToken: Secret?
    public var workflowFile: String
    public var ref: String
    public var apiToken: Secret?
    public var settings: Settings
    /// Draft PRs are measured only when the tenant opts in.
    public var measureDrafts: Bool

    public init(
        id: String, installationID: Int64? = nil, githubWebhookSecret: Secret?, githubToken: Secret?,
        workflowFile: String = "tinybug-mutant.yml", ref: String = "main", apiToken: Secret? = nil,
        settings: Settings = Settings(), measureDrafts: Bool = false
    ) {
        self.id = id
        self.installationID = installationID
        self.githubWebhookSecret = githubWebhookSecret
        self.githubToken = githubToken
        self.workflowFile = workflowFile
        self.ref = ref
        self.apiToken = apiToken
        self.settings = settings
        self.measureDrafts = measureDrafts
    }

    /// Where this tenant's effects go.
    func target(githubAPI: String) -> CITarget? {
        guard let githubToken else { return nil }
        return CITarget(githubAPI: githubAPI, githubToken: githubToken, workflow: workflowFile, ref: ref)
    }
}

/// The tenants file, resolved: every tenant by id and by installation.
public struct Tenants: Sendable {
    public var all: [String: Tenant]
    public var appWebhookSecret: Secret?

    public init(_ tenants: [Tenant], appWebhookSecret: Secret? = nil) {
        all = Dictionary(tenants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.appWebhookSecret = appWebhookSecret
    }

    public subscript(id: String) -> Tenant? { all[id] }

    public func byInstallation(_ id: Int64) -> Tenant? { all.values.first { $0.installationID == id } }
}
