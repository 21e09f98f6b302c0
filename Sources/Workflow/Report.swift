/// The check run's conclusion, in GitHub's words.
public enum CheckConclusion: String, Codable, Sendable {
    case success, failure, neutral, cancelled
}

/// A line annotation on the check run: one per surviving mutant.
public struct Annotation: Codable, Equatable, Sendable {
    public var path: String
    public var line: Int
    public var title: String
    public var message: String
    /// GitHub's `annotation_level`; a warning when not set.
    public var level: Level?

    public enum Level: String, Codable, Sendable {
        case notice, warning, failure
    }

    public init(path: String, line: Int, title: String, message: String, level: Level? = nil) {
        self.path = path
        self.line = line
        self.title = title
        self.message = message
        self.level = level
    }
}

/// What the check run says when the workflow ends.
public struct Report: Codable, Equatable, Sendable {
    public var conclusion: CheckConclusion
    public var title: String
    public var summary: String
    public var annotations: [Annotation]
    public var killed: Int
    public var survived: Int
    public var errored: Int
    /// How many mutants had each status (the contract's words).
    public var statuses: [String: Int]?
    /// `(Killed + Timeout) / (Killed + Timeout + Survived)`: the score over covered code.
    public var coveredScore: Double?
    /// The buttons the completed check run carries (GitHub's `actions`, at most three).
    public var actions: [CheckRunAction]?

    public init(
        conclusion: CheckConclusion, title: String, summary: String, annotations: [Annotation], killed: Int,
        survived: Int, errored: Int
    ) {
        self.conclusion = conclusion
        self.title = title
        self.summary = summary
        self.annotations = annotations
        self.killed = killed
        self.survived = survived
        self.errored = errored
    }

    /// `killed / (killed + survived)`, where `killed` counts Killed and Timeout and `survived`
    /// Survived and NoCoverage: the contract's score. Nil when no mutant gave a result.
    public var score: Double? { Report.score(killed: killed, survived: survived) }

    public static func score(killed: Int, survived: Int) -> Double? {
        killed + survived == 0 ? nil : Double(killed) / Double(killed + survived)
    }

    /// A score as a whole percentage, rounded down so 59.9% never reads as 60%.
    public static func percent(_ score: Double) -> Int { Int((score * 100).rounded(.down)) }
}

/// A button on a completed check run; a click sends `check_run` `requested_action` with its
/// identifier. GitHub's bounds: identifier and label at most 20 characters, description 40.
public struct CheckRunAction: Codable, Equatable, Sendable {
    public var identifier: String
    public var label: String
    public var description: String

    public static let rerunSurvivors = CheckRunAction(
        identifier: "rerun-survivors", label: "Rerun survivors", description: "Measure the surviving mutants again")
    public static let rerunErrored = CheckRunAction(
        identifier: "rerun-errored", label: "Rerun errored", description: "Measure the errored mutants again")
    public static let startOver = CheckRunAction(
        identifier: "start-over", label: "Start over", description: "Measure this commit again from the start")
}
