import Orchestration

/// Which function a process is: one per event type, or all of them (`tinybug serve`).
public enum FunctionKind: String, Sendable, CaseIterable {
    case pullRequest = "pull-request"
    case ciCompleted = "ci-completed"
    case timerFired = "timer-fired"
    case control
    case all

    /// The GitHub events this function acts on.
    var gitHubEvents: EventFilter {
        switch self {
        case .pullRequest: .only(["pull_request", "check_run", "check_suite"])
        case .ciCompleted: .only(["workflow_run"])
        case .timerFired, .control: .only([])
        case .all: .all
        }
    }

    var servesWebhooks: Bool { [.pullRequest, .ciCompleted, .all].contains(self) }
    var servesTimer: Bool { self == .timerFired || self == .all }
    var servesControl: Bool { self == .control || self == .all }
}
