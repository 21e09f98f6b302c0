import Foundation
import Workflow

/// What a CI run that tests a batch of mutants leaves behind, as the reference CI script writes
/// it: for each mutant, `mutants/<id>/outcome.json` and its JUnit under `mutants/<id>/junit/`.
public enum BatchRuns {
    /// A batch's mutants, decoded from the `tinybug_mutants` input; nil for any other run.
    public static func members(_ inputs: [String: String]) -> [GitHubSimulator.MutantInput]? {
        guard let text = inputs[CIContract.Input.mutants], !text.isEmpty, let data = Data(base64Encoded: text) else {
            return nil
        }
        return try? JSONDecoder().decode([GitHubSimulator.MutantInput].self, from: data)
    }

    /// How one mutant of a batch fared: its tests passed or failed, it did not apply, its tests ran
    /// past its time limit, or nothing (no result for it).
    public enum Fate: Sendable {
        case passed, failed, notApplied, timedOut, none
    }

    /// A mutant's fate from an outcome in either CI's words (`success`/`passed`, `failure`/`failed`,
    /// `apply-failed`, `timeout`); any other word gives it no result.
    public static func fate(_ word: String?) -> Fate {
        switch word {
        case "success", "passed": .passed
        case "failure", "failed": .failed
        case "apply-failed": .notApplied
        case "timeout": .timedOut
        default: .none
        }
    }

    /// Whether an outcome for the whole run is a word about the infrastructure (`cancelled`,
    /// `canceled`, `timed_out`…): the run then ends with it and leaves no results.
    public static func isInfrastructure(_ word: String) -> Bool {
        !["success", "passed", "failure", "failed", "apply-failed"].contains(word)
    }

    /// How a batch's run ends: with `passing` (the CI's word for it) unless the outcome for the run
    /// is about the infrastructure; the artifact it leaves, if any; and whether its webhook is sent
    /// (not when there is no outcome for the run).
    public struct Ending {
        public var conclusion: String
        public var artifact: [String: Data]?
        public var sendsWebhook: Bool
    }

    /// The ending of a batch's run, each mutant's own outcome in its artifact.
    public static func ending(
        job: String, members: [GitHubSimulator.MutantInput], world: TestWorld?, passing: String,
        outcome: (String, GitHubSimulator.MutantInput?) -> String?
    ) -> Ending {
        let word = outcome(job, nil)
        let conclusion = word.map { isInfrastructure($0) ? $0 : passing } ?? passing
        let files =
            conclusion == passing
            ? artifact(job: job, members: members, world: world) { fate(outcome(job, $0)) } : nil
        return Ending(conclusion: conclusion, artifact: files, sendsWebhook: word != nil)
    }

    /// The artifact's files for a batch: each mutant's fate, and with a world its tests' JUnit.
    public static func artifact(
        job: String, members: [GitHubSimulator.MutantInput], world: TestWorld?,
        fate: (GitHubSimulator.MutantInput) -> Fate
    ) -> [String: Data] {
        var files: [String: Data] = [:]
        for member in members {
            guard let id = member.id else { continue }
            var word: String
            var applied = true
            switch fate(member) {
            case .passed: word = "passed"
            case .failed: word = "failed"
            case .timedOut: word = "timeout"
            case .notApplied:
                word = "error"
                applied = false
            case .none: continue
            }
            let folder = "\(CIContract.Results.mutantsFolder)\(id)/"
            if applied, word != "timeout", let world {
                let run = world.run(job: job, mutant: member)
                word = run.failed ? "failed" : "passed"
                for (path, data) in run.files where path.hasPrefix(CIContract.Results.junitFolder) {
                    files[folder + path] = data
                }
            }
            files[folder + CIContract.Results.outcomeFile] = Data(
                "{\"applied\": \(applied), \"tests\": \"\(word)\", \"seconds\": 1.5}".utf8)
        }
        return files
    }
}
