/// Which mutants a rerun measures again.
public enum RerunSelection: String, Codable, CaseIterable, Sendable {
    /// The survivors: a test may have been added, or a flaky run may have let one live.
    case survived
    /// The mutants whose runs failed for the infrastructure or did not apply (`CompileError`,
    /// `RuntimeError`).
    case errored
    /// Every mutant that had a CI run.
    case all

    func chooses(_ status: MutantStatus) -> Bool {
        switch self {
        case .survived: status == .survived
        case .errored: status == .compileError || status == .runtimeError
        case .all: status != .noCoverage
        }
    }
}

/// Steering a finished workflow from the pull request (its check run's buttons) or the control
/// API: measure some mutants again in it, or the head again from the start.
extension Run {
    /// The check run's `external_id`: the workflow, and after a rerun which report it is, so each
    /// rerun's check run is found apart from the earlier ones.
    public var checkRunExternalID: String {
        guard let reruns, reruns > 0 else { return id }
        return "\(id)\(Self.rerunMark)\(reruns)"
    }

    static let rerunMark = ".rerun"

    /// The workflow a check run's `external_id` names; nil for one that is no workflow id.
    public static func workflowID(fromExternalID external: String) -> String? {
        let mark = external.indices.first { external[$0...].hasPrefix(rerunMark) }
        let id = mark.map { String(external[..<$0]) } ?? external
        return Identifier.isValid(id) ? id : nil
    }

    /// The mutants (ids) a rerun of `selection` would measure again.
    public func rerunCandidates(_ selection: RerunSelection) -> [Int] {
        mutants.compactMap { job in
            guard case .mutant(let id) = job.name, selection.chooses(job.mutantStatus) else { return nil }
            return id
        }
    }

    /// Why a rerun of `selection` cannot happen now; nil when it can.
    public func rerunRefusal(_ selection: RerunSelection) -> String? {
        switch outcome {
        case nil: return "the workflow is still measuring; rerun once it has completed"
        case .scored, .inconclusive: break
        default: return "the workflow ended \(status.rawValue): there is nothing to measure again"
        }
        if let restartedAs { return "this head is measured again as \(restartedAs)" }
        if rerunCandidates(selection).isEmpty { return "no \(selection.rawValue) mutants to measure again" }
        return nil
    }

    /// Fresh attempts for the chosen mutants in this workflow (their attempt numbers go on, so
    /// each run's key is new), reported on a new check run that links the earlier one.
    mutating func rerun(_ selection: RerunSelection, now: Instant) -> [Effect] {
        guard rerunRefusal(selection) == nil else { return [] }
        for id in rerunCandidates(selection) {
            update(.mutant(id)) { job in
                job.result = nil
                job.status = .pending
                job.rechecked = nil
                job.batch = nil
                job.retryAt = nil
                job.deadline = nil
                job.polling = nil
                job.slot = nil
            }
        }
        outcome = nil
        report = nil
        phase = .mutants
        earlierCheckRunID = checkRunID ?? earlierCheckRunID
        checkRunID = nil
        reruns = (reruns ?? 0) + 1
        return [.createCheckRun(pullRequest, workflow: checkRunExternalID)] + fillSlots(now: now)
    }

    /// The head is measured again as workflow `id`: a workflow still measuring ends, superseded.
    mutating func restarted(as id: String, now: Instant) -> [Effect] {
        guard restartedAs == nil else { return [] }
        restartedAs = id
        guard outcome == nil else { return [] }
        let reason = "The same commit is measured again from the start (\(id))."
        return end(
            .superseded(by: pullRequest.headSHA),
            report: endedReport(.neutral, title: "Tinybug: started over", reason: reason), now: now)
    }
}
