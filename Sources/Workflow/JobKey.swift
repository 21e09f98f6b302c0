/// Which CI job of a workflow: the baseline's first run, a later run of it, one mutant, or a
/// batch of mutants tested one after the other in one run.
public enum JobName: Hashable, Sendable, CustomStringConvertible {
    case baseline
    /// The baseline's run `n` (2 and up), to learn which tests are unstable.
    case baselineRun(Int)
    case mutant(Int)
    /// Batch `n` of the workflow (`settings.mutantsPerRun` > 1): its mutants are the job's `members`.
    case batch(Int)

    public var description: String {
        switch self {
        case .baseline: "base"
        case .baselineRun(let number): "base\(number)"
        case .mutant(let id): "m\(id)"
        case .batch(let number): "b\(number)"
        }
    }

    /// Any run of the baseline.
    public var isBaseline: Bool {
        switch self {
        case .baseline, .baselineRun: true
        case .mutant, .batch: false
        }
    }

    /// Parses `base`, `base<n>` (n from 2), `m<id>` or `b<n>`.
    public init?(_ text: Substring) {
        if text == "base" {
            self = .baseline
        } else if text.hasPrefix("base"), let number = Self.number(text.dropFirst(4)), number >= 2 {
            self = .baselineRun(number)
        } else if text.first == "m", let id = Self.number(text.dropFirst()) {
            self = .mutant(id)
        } else if text.first == "b", let number = Self.number(text.dropFirst()) {
            self = .batch(number)
        } else {
            return nil
        }
    }

    /// A decimal number written without sign or leading zeros.
    private static func number(_ text: Substring) -> Int? {
        guard let value = Int(text), value >= 0, String(value) == text else { return nil }
        return value
    }
}

/// The key a CI run carries there and back: tenant, workflow, job and attempt,
/// written `tenant/workflow/job/attempt`.
public struct JobKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var tenant: String
    public var workflow: String
    public var job: JobName
    public var attempt: Int

    public init(tenant: String, workflow: String, job: JobName, attempt: Int) {
        self.tenant = tenant
        self.workflow = workflow
        self.job = job
        self.attempt = attempt
    }

    public var description: String { "\(tenant)/\(workflow)/\(job)/\(attempt)" }

    /// Parses the written form; nil for anything that is not exactly a valid key.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, Identifier.isValidTenant(parts[0]), Identifier.isValid(parts[1]),
            let job = JobName(parts[2]), let attempt = Int(parts[3]), attempt >= 1, attempt < 1000
        else { return nil }
        self.init(tenant: String(parts[0]), workflow: String(parts[1]), job: job, attempt: attempt)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let key = JobKey(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad job key"))
        }
        self = key
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
