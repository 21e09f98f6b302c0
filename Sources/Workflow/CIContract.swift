/// The CI systems a tenant's jobs can run on. Every word either CI puts on the wire for Tinybug
/// (CONTRACT.md's "CI round trip") is here, and only here: ingress, egress and the simulators
/// read them from this file.
public enum CIProvider: String, Codable, CaseIterable, Sendable {
    case githubActions = "github-actions"
    case buildkite

    /// The path segment of the provider's own webhook route (`/webhooks/<segment>/{tenant}`), or
    /// nil when its completions arrive through the GitHub routes.
    public var webhookRoute: String? {
        switch self {
        case .githubActions: nil
        case .buildkite: "buildkite"
        }
    }

    /// The variable naming the provider's REST base (CONTRACT.md), or nil when it is GitHub's.
    public var apiVariable: String? {
        switch self {
        case .githubActions: nil
        case .buildkite: "BUILDKITE_API_URL"
        }
    }

    /// The provider's REST base when its variable is not set.
    public var defaultAPI: String {
        switch self {
        case .githubActions: "https://api.github.com"
        case .buildkite: "https://api.buildkite.com"
        }
    }

    /// The header that names a delivery's event on the provider's own route.
    public var eventHeader: String {
        switch self {
        case .githubActions: CIContract.GitHub.eventHeader
        case .buildkite: "X-Buildkite-Event"
        }
    }

    /// The header that carries the delivery's HMAC signature.
    public var signatureHeader: String {
        switch self {
        case .githubActions: CIContract.GitHub.signatureHeader
        case .buildkite: "X-Buildkite-Signature"
        }
    }

    /// The header that carries a plain webhook token, for providers that offer one.
    public var tokenHeader: String? {
        switch self {
        case .githubActions: nil
        case .buildkite: "X-Buildkite-Token"
        }
    }

    /// The event that says a run finished, on the provider's own route.
    public var finishedEvent: String {
        switch self {
        case .githubActions: "workflow_run"
        case .buildkite: "build.finished"
        }
    }

    /// The key of the step that applies the mutant: when it failed, the mutant did not apply.
    public var applyStep: String {
        switch self {
        case .githubActions: "apply mutant"
        case .buildkite: "apply-mutant"
        }
    }

    /// How the provider's word for a finished run reads: the tests passed, failed, or nothing
    /// was learned about them (and the job is retried).
    public func conclusion(_ word: String?) -> CIConclusion {
        switch (self, word) {
        case (.githubActions, "success"), (.buildkite, "passed"): .passed
        case (.githubActions, "failure"), (.buildkite, "failed"): .failed
        default: .infrastructure(word ?? "no conclusion")
        }
    }

    /// Whether a run in state `word` has finished (GitHub Actions says so in `status` instead).
    public func isFinished(_ word: String) -> Bool {
        switch self {
        case .githubActions: word == "completed"
        case .buildkite: ["passed", "failed", "canceled", "skipped", "not_run", "blocked"].contains(word)
        }
    }
}

/// The words Tinybug and the CI configs in `infra/ci/` share.
public enum CIContract {
    /// Inputs (GitHub Actions) and meta-data keys (Buildkite) a dispatch carries.
    public enum Input {
        /// The job key, which comes back in the completion.
        public static let job = "tinybug_job"
        /// Empty for the baseline, else the mutant as base64 JSON.
        public static let mutant = "tinybug_mutant"
        /// The head commit the job checks out.
        public static let sha = "tinybug_sha"
        /// A batch's mutants (`mutantsPerRun` > 1): base64 JSON array, each mutant with its `id`.
        public static let mutants = "tinybug_mutants"
        /// A batch's time limit per mutant, in seconds (empty: none known).
        public static let mutantTimeout = "tinybug_mutant_timeout"
    }

    /// The results artifact a run uploads (CONTRACT.md): a GitHub Actions artifact of this name,
    /// or Buildkite artifacts under this folder.
    public enum Results {
        public static let artifact = "tinybug-results"
        /// JUnit XML files, `junit/*.xml`.
        public static let junitFolder = "junit/"
        /// `coverage/lcov.info`, or Cobertura `coverage/*.xml`.
        public static let coverageFolder = "coverage/"
        public static let lcovFile = "coverage/lcov.info"
        /// `{"applied": bool, "tests": "passed"|"failed"|"timeout"|"error", "seconds": n}`.
        public static let outcomeFile = "outcome.json"
        /// The most an artifact may hold, compressed or not (50 MiB).
        public static let maxBytes = 50 * 1024 * 1024
        /// A batch's per-mutant results: `mutants/<id>/outcome.json` and `mutants/<id>/junit/*.xml`.
        public static let mutantsFolder = "mutants/"
    }

    /// `run-name: tinybug <key>` and a build's message: how a run carries its job key in its title.
    public static let titlePrefix = "tinybug "

    /// The title a run of `job` carries.
    public static func title(_ job: JobKey) -> String { titlePrefix + job.description }

    /// The job key a run's title carries, if it is one of ours.
    public static func jobKey(fromTitle title: String?) -> JobKey? {
        guard let title, title.hasPrefix(titlePrefix) else { return nil }
        let key = title.dropFirst(titlePrefix.count).drop(while: \.isWhitespace)
        return JobKey(parsing: String(key.reversed().drop(while: \.isWhitespace).reversed()))
    }

    /// What GitHub's webhooks and REST API say.
    public enum GitHub {
        public static let eventHeader = "X-GitHub-Event"
        public static let deliveryHeader = "X-GitHub-Delivery"
        public static let signatureHeader = "X-Hub-Signature-256"
        /// The check run that carries the measurement.
        public static let checkName = "Tinybug test effectiveness"
    }
}
