/// The pull request a workflow measures: one head commit of one PR.
public struct PullRequest: Codable, Equatable, Hashable, Sendable {
    public var owner: String
    public var repo: String
    public var number: Int
    public var headSHA: String
    public var headRef: String
    public var baseRef: String
    public var title: String
    /// GitHub's `pull_request.updated_at` when the event was sent (ISO 8601, UTC): tells an older
    /// push's event from a newer one.
    public var updatedAt: String?

    public init(
        owner: String, repo: String, number: Int, headSHA: String, headRef: String, baseRef: String = "main",
        title: String = "", updatedAt: String? = nil
    ) {
        self.updatedAt = updatedAt
        self.owner = owner
        self.repo = repo
        self.number = number
        self.headSHA = headSHA
        self.headRef = headRef
        self.baseRef = baseRef
        self.title = title
    }

    /// `owner/repo`.
    public var repository: String { "\(owner)/\(repo)" }
}

/// One file of a PR as GitHub lists it: its path, status and unified-diff `patch`.
public struct ChangedFile: Codable, Equatable, Sendable {
    public var path: String
    public var status: String
    public var patch: String?
    /// The file's whole text at the head commit, fetched only when its patch alone cannot tell
    /// whether a hunk starts inside a multi-line string or comment (`BlockScanner.needsSource`).
    public var source: String?

    public init(path: String, status: String = "modified", patch: String?, source: String? = nil) {
        self.path = path
        self.status = status
        self.patch = patch
        self.source = source
    }
}
