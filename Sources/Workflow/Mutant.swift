/// One injected bug: a single line of the PR's head replaced by a mutated copy.
public struct Mutant: Codable, Equatable, Hashable, Sendable {
    public var id: Int
    public var path: String
    public var line: Int
    public var original: String
    public var replacement: String
    public var `operator`: MutationOperator
    /// The test run's time limit, in seconds, set when the mutant is dispatched.
    public var timeout: Int?

    public init(id: Int, path: String, line: Int, original: String, replacement: String, operator: MutationOperator) {
        self.id = id
        self.path = path
        self.line = line
        self.original = original
        self.replacement = replacement
        self.operator = `operator`
    }
}

/// The kinds of mutation the planner applies, in the order it tries them on a line.
public enum MutationOperator: String, Codable, CaseIterable, Sendable {
    case negatedCondition = "negated-condition"
    case equality
    case relational
    case logical
    case booleanLiteral = "boolean-literal"
    case compoundAssignment = "compound-assignment"
    case increment
    case arithmetic
    case returnValue = "return-value"
    case removedCall = "removed-call"
}
