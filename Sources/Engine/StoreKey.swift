import Workflow

/// A validated key in a document store: `/`-separated segments of `[a-z0-9._-]`, none starting
/// with a dot, so the same key names the same thing on disk and in S3 and can never escape its folder.
/// Keys are built only here.
public struct StoreKey: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// Nil unless every segment is a valid identifier.
    public init?(_ rawValue: String) {
        let segments = rawValue.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty, segments.count <= 8, segments.allSatisfy(Identifier.isValid) else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
    public static func < (lhs: StoreKey, rhs: StoreKey) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `tenants/<tenant>/workflows/<workflow>.json`
    public static func workflow(tenant: String, id: String) throws(StoreError) -> StoreKey {
        guard Identifier.isValidTenant(tenant), Identifier.isValid(id),
            let key = StoreKey("tenants/\(tenant)/workflows/\(id).json")
        else { throw .invalidKey("\(tenant)/\(id)") }
        return key
    }

    /// `tenants/<tenant>/tenant.json`: the tenant's own state (paused or not).
    public static func tenantState(_ tenant: String) throws(StoreError) -> StoreKey {
        guard Identifier.isValidTenant(tenant), let key = StoreKey("tenants/\(tenant)/tenant.json") else {
            throw .invalidKey(tenant)
        }
        return key
    }

    /// `tenants/<tenant>/slots.json`: the tenant's waiting workflows and each repository's recent
    /// dispatches.
    public static func tenantSlots(_ tenant: String) throws(StoreError) -> StoreKey {
        guard Identifier.isValidTenant(tenant), let key = StoreKey("tenants/\(tenant)/slots.json") else {
            throw .invalidKey(tenant)
        }
        return key
    }

    /// `tenants/<tenant>/slots/<n>.json`: one of the tenant's `maxConcurrentJobs` slots for CI runs
    /// in flight, present while a run holds it.
    public static func slot(tenant: String, number: Int) throws(StoreError) -> StoreKey {
        guard Identifier.isValidTenant(tenant), number >= 0,
            let key = StoreKey("tenants/\(tenant)/slots/\(number).json")
        else { throw .invalidKey("\(tenant)/slots/\(number)") }
        return key
    }

    /// The prefix under which a tenant's slot documents live.
    public static func slotsPrefix(tenant: String) throws(StoreError) -> String {
        guard Identifier.isValidTenant(tenant) else { throw .invalidKey(tenant) }
        return "tenants/\(tenant)/slots/"
    }

    /// The slot number of a key made by `slot(tenant:number:)`.
    public var slotNumber: Int? { documentName(in: "slots").flatMap { Int($0) } }

    /// `tenants/<tenant>/prs/<pr>.json`: the ids of a PR's workflows, so a push or a close finds
    /// them in one read instead of a listing whose cost grows with every workflow stored.
    public static func pullRequestIndex(tenant: String, pr: String) throws(StoreError) -> StoreKey {
        guard Identifier.isValidTenant(tenant), let key = StoreKey("tenants/\(tenant)/prs/\(pr).json") else {
            throw .invalidKey("\(tenant)/\(pr)")
        }
        return key
    }

    /// `tenants/<tenant>/sources/<workflow>.json`: the mutated files' text at the workflow's head
    /// commit, fetched once for its report.
    public static func sources(tenant: String, workflow: String) throws(StoreError) -> StoreKey {
        guard Identifier.isValidTenant(tenant), Identifier.isValid(workflow),
            let key = StoreKey("tenants/\(tenant)/sources/\(workflow).json")
        else { throw .invalidKey("\(tenant)/\(workflow)") }
        return key
    }

    /// `deliveries/<source>.json`: how far a webhook's recent deliveries were looked over for ones
    /// that failed (`app` for the GitHub App's, `tenant-<id>` for a tenant's own webhook).
    public static func deliveries(source: String) throws(StoreError) -> StoreKey {
        guard Identifier.isValid(source), let key = StoreKey("deliveries/\(source).json") else {
            throw .invalidKey("deliveries/\(source)")
        }
        return key
    }

    /// The prefix under which a tenant's workflows live, optionally narrowed to ids starting with `idPrefix`.
    public static func workflowsPrefix(tenant: String, idPrefix: String = "") throws(StoreError) -> String {
        guard Identifier.isValidTenant(tenant) else { throw .invalidKey(tenant) }
        return "tenants/\(tenant)/workflows/\(idPrefix)"
    }

    /// The workflow id of a key made by `workflow(tenant:id:)`.
    public var workflowID: String? { documentName(in: "workflows") }

    /// `<name>` of a key `tenants/<tenant>/<folder>/<name>.json`.
    private func documentName(in folder: String) -> String? {
        let parts = rawValue.split(separator: "/")
        guard parts.count == 4, parts[0] == "tenants", parts[2] == folder, parts[3].hasSuffix(".json") else {
            return nil
        }
        return String(parts[3].dropLast(5))
    }

    /// `timers/<yyyyMMddHHmm>/<tenant>/<workflow>`
    public static func timer(bucket: String, tenant: String, workflow: String) throws(StoreError) -> StoreKey {
        guard let key = StoreKey("timers/\(bucket)/\(tenant)/\(workflow)") else {
            throw .invalidKey("timers/\(bucket)/\(tenant)/\(workflow)")
        }
        return key
    }

    public static let timersPrefix = "timers/"

    /// Bucket, tenant and workflow of a timer key.
    public var timerParts: (bucket: String, tenant: String, workflow: String)? {
        let parts = rawValue.split(separator: "/")
        guard parts.count == 4, parts[0] == "timers" else { return nil }
        return (String(parts[1]), String(parts[2]), String(parts[3]))
    }
}
