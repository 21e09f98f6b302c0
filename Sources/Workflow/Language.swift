/// What the planner needs to know of a source language, chosen by file extension.
struct Language: Equatable, Sendable {
    enum Conditions: Equatable, Sendable {
        /// `if (cond)`: C, Java, JavaScript…
        case parenthesized
        /// `if cond {`: Swift, Go, Rust.
        case braced
        /// `if cond:`: Python.
        case colon
        /// Not negated by the planner.
        case none
    }

    var hashComments = false
    var conditions = Conditions.parenthesized
    /// The literal that any `return` expression may become, where the language's typing allows it.
    var nullLiteral: String? = nil
    /// What a removed statement leaves behind, when an empty line would not parse.
    var emptyStatement = ""
    var wordLogic = false
    /// `True`/`False` (Python), not `true`/`false`.
    var capitalizedBooleans = false

    static func forPath(_ path: String) -> Language? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "c", "h", "cc", "cpp", "cxx", "hpp", "java", "kt", "cs", "scala", "php", "m", "mm", "dart":
            return Language()
        case "js", "jsx", "ts", "tsx", "mjs", "cjs":
            return Language(nullLiteral: "null")
        case "swift", "go", "rs":
            return Language(conditions: .braced)
        case "py":
            return Language(
                hashComments: true, conditions: .colon, nullLiteral: "None", emptyStatement: "pass", wordLogic: true,
                capitalizedBooleans: true)
        case "rb":
            return Language(hashComments: true, conditions: .none, nullLiteral: "nil", wordLogic: true)
        default:
            return nil
        }
    }
}
