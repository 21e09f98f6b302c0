/// A secret value (webhook secret, token). It prints as `***` so it cannot leak into a log line.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself; read it only where it is used.
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "***" }
    public var debugDescription: String { "***" }
    public var bytes: [UInt8] { Array(value.utf8) }

    /// Empty or only whitespace: such a secret never authenticates anything.
    public var isBlank: Bool { value.allSatisfy(\.isWhitespace) }

    /// Whether `given` is this secret, compared in constant time; a blank secret matches nothing.
    public func matches(_ given: String?) -> Bool {
        guard let given, !isBlank else { return false }
        return ConstantTime.equals(given, value)
    }
}
