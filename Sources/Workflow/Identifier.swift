/// Rules for ids that become parts of storage keys: lowercase letters, digits, `.`, `_` and `-`,
/// at most 128 characters, not starting with a dot, so no id can name a path outside its folder.
public enum Identifier {
    public static let maxLength = 128

    /// True when `text` may be used as one segment of a key.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        guard (1...maxLength).contains(text.utf8.count), text.utf8.first != UInt8(ascii: ".") else { return false }
        return text.utf8.allSatisfy(isAllowed)
    }

    /// True when `text` is a valid tenant id: `[a-z0-9-]{1,63}`.
    public static func isValidTenant(_ text: some StringProtocol) -> Bool {
        (1...63).contains(text.utf8.count)
            && text.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// `text` lowercased with every character outside the allowed set replaced by `-`.
    public static func slug(_ text: String, maxLength: Int = 40) -> String {
        let mapped = text.lowercased().utf8.map { isAllowed($0) && $0 != UInt8(ascii: ".") ? $0 : UInt8(ascii: "-") }
        let trimmed = String(decoding: mapped.prefix(maxLength), as: UTF8.self)
        return trimmed.isEmpty ? "x" : trimmed
    }

    /// The workflow id for one head commit of one PR, stable across redeliveries.
    /// It starts with the repository and PR so that all workflows of a PR share a prefix.
    public static func workflow(for pr: PullRequest) -> String {
        "\(prPrefix(for: pr))\(slug(String(pr.headSHA.prefix(12)), maxLength: 12))"
    }

    /// The common start of the ids of every workflow of this PR.
    public static func prPrefix(for pr: PullRequest) -> String {
        "\(slug(pr.owner))--\(slug(pr.repo))--pr\(pr.number)--"
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-")
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
