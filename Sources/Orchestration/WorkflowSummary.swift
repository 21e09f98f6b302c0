import Engine
import Workflow

/// One row of the workflow list (control API, pages, CLI).
public struct WorkflowSummary: Codable, Sendable, Equatable {
    public var id: String
    public var repository: String
    public var pr: Int
    public var headSHA: String
    public var status: MeasurementStatus
    public var score: Int?
    public var killed: Int
    public var survived: Int
    public var errored: Int
    public var started: String
    public var updated: String

    public init(_ document: Document<Run>) {
        let run = document.state
        let (killed, survived, errored) = run.tally
        id = document.id
        repository = run.pullRequest.repository
        pr = run.pullRequest.number
        headSHA = run.pullRequest.headSHA
        status = run.status
        score = run.report?.score.map(Report.percent)
        (self.killed, self.survived, self.errored) = (killed, survived, errored)
        started = UTC.iso8601(run.startedAt)
        updated = UTC.iso8601(document.updatedAt)
    }
}
