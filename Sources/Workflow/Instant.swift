/// A point in time as milliseconds since the Unix epoch. Workflow code never reads a clock:
/// every instant arrives with the input.
public struct Instant: Comparable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func seconds(_ seconds: Int64) -> Instant { Instant(milliseconds: seconds * 1000) }

    /// This instant moved by a whole number of seconds.
    public func adding(seconds: Int64) -> Instant { Instant(milliseconds: milliseconds + seconds * 1000) }

    /// Milliseconds from `earlier` to this instant.
    public func milliseconds(since earlier: Instant) -> Int64 { milliseconds - earlier.milliseconds }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public var description: String { "\(milliseconds)ms" }

    public init(from decoder: any Decoder) throws {
        milliseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }
}
