/// Which CI job of a workflow: the baseline or one mutant.
public enum JobName: Hashable, Sendable, CustomStringConvertible {
    case baseline
    case mutant(Int)

    public var description: String {
        switch self {
        case .baseline: "base"
        case .mutant(let id): "m\(id)"
        }
    }

    /// Parses `base` or `m<id>`.
    public init?(_ text: Substring) {
        if text == "base" {
            self = .baseline
        } else if text.first == "m", let id = Int(text.dropFirst()), id >= 0, String(id) == text.dropFirst() {
            self = .mutant(id)
        } else {
            return nil
        }
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
