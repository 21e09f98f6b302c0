import Ingress
import Orchestration

/// Which function a process is: one per event type, or all of them (`tinybug serve`).
public enum FunctionKind: String, Sendable, CaseIterable {
    case pullRequest = "pull-request"
    case ciCompleted = "ci-completed"
    case timerFired = "timer-fired"
    case control
    case all

    /// The GitHub events this function acts on (`ping` aside); with `all`, every function's.
    public var takenGitHubEvents: Set<String> {
        switch self {
        case .pullRequest: ["pull_request", "check_run", "check_suite"]
        case .ciCompleted: ["workflow_run"]
        case .timerFired, .control: []
        case .all: GitHubWebhook.takenEvents
        }
    }

    /// The GitHub events this function acts on.
    var gitHubEvents: EventFilter { self == .all ? .all : .only(takenGitHubEvents) }

    var servesWebhooks: Bool { [.pullRequest, .ciCompleted, .all].contains(self) }
    var servesTimer: Bool { self == .timerFired || self == .all }
    var servesControl: Bool { self == .control || self == .all }
}
