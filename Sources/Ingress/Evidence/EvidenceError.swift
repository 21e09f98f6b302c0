/// Why a results artifact's file could not be read. The run is then judged by its steps, with
/// this reason in its history.
public enum EvidenceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not the XML (or lcov) it should be; `line` where the parser stopped, when it knows.
    case malformed(String)
    /// A document type or entity declaration: never expanded, never fetched.
    case entities
    /// Larger than the reading bound.
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .malformed(let reason): "not a readable report: \(reason)"
        case .entities: "the report declares a document type or entities, which are not read"
        case .tooLarge(let bytes): "the report is over \(bytes) bytes"
        }
    }
}

/// How much of a report is read (CONTRACT.md and the bounds).
public struct EvidenceLimits: Sendable, Equatable {
    /// Test cases read per run; past it the outcome is marked truncated.
    public var maxTestCases = 20_000
    /// Test names are cut to this many characters.
    public var maxNameLength = 500
    /// One report file's bytes.
    public var maxFileBytes = 50 * 1024 * 1024

    public init() {}
}
