import Foundation
import Workflow
import ZIPFoundation

/// A run's `tinybug-results` artifact: the zip GitHub Actions serves, or the files Buildkite
/// lists, read into the run's results. Only `junit/*.xml` and `coverage/…` are read; everything
/// is bounded, and a file that cannot be read leaves that part to the run's steps, saying why.
public enum ResultsArtifact {
    /// The files of a zip the results are read from, by their path in the artifact.
    /// - Throws: `EvidenceError` for data that is not a zip, or that inflates past the bound
    ///   (declared sizes are not trusted: the bytes are counted as they come).
    public static func unzip(_ data: Data, limit: Int = CIContract.Results.maxBytes) throws(EvidenceError)
        -> [String: Data]
    {
        guard data.count <= limit else { throw .tooLarge(limit) }
        // From a file, not from memory: ZIPFoundation's in-memory reader traps on an entry that
        // points past the end of the data (fuzz-artifact found it); reading a file stops at its end.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tinybug-artifact-\(UUID().uuidString).zip")
        do { try data.write(to: url) } catch { throw .malformed("the artifact could not be staged: \(error)") }
        defer { try? FileManager.default.removeItem(at: url) }
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw .malformed("the artifact is not a zip")
        }
        var files: [String: Data] = [:]
        var total = 0
        for entry in archive where entry.type == .file {
            let path = artifactPath(entry.path)
            guard isRead(path) else { continue }
            guard files.count < maxFiles else { throw .malformed("the artifact holds over \(maxFiles) report files") }
            guard entry.uncompressedSize <= UInt64(limit - total) else { throw .tooLarge(limit) }
            var bytes = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    total += chunk.count
                    guard total <= limit else { throw EvidenceError.tooLarge(limit) }
                    bytes.append(chunk)
                }
            } catch let error as EvidenceError {
                throw error
            } catch {
                throw .malformed("\(path) does not inflate: \(error)")
            }
            files[path] = bytes
        }
        return files
    }

    /// The most report files read from one artifact.
    public static let maxFiles = 1000

    /// A path inside the artifact, without the artifact's own folder (Buildkite keeps it).
    public static func artifactPath(_ path: String) -> String {
        let prefix = CIContract.Results.artifact + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Whether a file of the artifact is one the results are read from: the run's own, or a batch
    /// mutant's under `mutants/<id>/`.
    public static func isRead(_ path: String) -> Bool {
        var name = artifactPath(path)
        guard !name.contains("..") else { return false }
        if let (_, inner) = memberPath(name) {
            name = inner
            guard !name.hasPrefix(CIContract.Results.coverageFolder) else { return false }
        }
        let folders = [CIContract.Results.junitFolder, CIContract.Results.coverageFolder]
        return name == CIContract.Results.lcovFile || name == CIContract.Results.outcomeFile
            || (folders.contains { name.hasPrefix($0) } && name.hasSuffix(".xml"))
    }

    /// The mutant id and the path inside its folder, for a path under `mutants/<id>/`.
    static func memberPath(_ name: String) -> (Int, String)? {
        guard name.hasPrefix(CIContract.Results.mutantsFolder) else { return nil }
        let rest = name.dropFirst(CIContract.Results.mutantsFolder.count)
        guard let slash = rest.firstIndex(of: "/"), let id = Int(rest[..<slash]), id >= 0, String(id) == rest[..<slash]
        else { return nil }
        return (id, String(rest[rest.index(after: slash)...]))
    }

    /// The results the files say. A JUnit file that cannot be read drops the tests (a failing
    /// test in it would be missed); a coverage file that cannot be read drops the coverage.
    /// - Parameter paths: the repository's files the coverage is kept for (nil: every file).
    public static func read(
        _ files: [String: Data], paths: [String]?, limits: EvidenceLimits = EvidenceLimits()
    ) -> RunResults {
        var notes: [String] = []
        var tests = self.tests(files, limits: limits, notes: &notes)
        let outcome = Outcome.read(files[CIContract.Results.outcomeFile])
        // The test command's wall time, build included: what a mutant's time limit is made from.
        tests?.seconds = outcome?.seconds
        var coverage = self.coverage(files, limits: limits, notes: &notes)
        if let paths, let found = coverage { coverage = found.relative(to: Set(paths)) }
        let members = self.members(files, limits: limits)
        return RunResults(
            tests: tests, coverage: coverage, note: notes.isEmpty ? nil : notes.joined(separator: "; "),
            timedOut: outcome.map { $0.tests == "timeout" }, members: members.isEmpty ? nil : members)
    }

    /// A batch's mutants' results, by id: each folder `mutants/<id>/` with an `outcome.json` that
    /// reads; one without (or with one that does not) has no result and waits for a later batch.
    static func members(_ files: [String: Data], limits: EvidenceLimits) -> [Int: MemberResult] {
        var folders: [Int: [String: Data]] = [:]
        for (path, data) in files {
            guard let (id, inner) = memberPath(artifactPath(path)) else { continue }
            folders[id, default: [:]][inner] = data
        }
        var results: [Int: MemberResult] = [:]
        for (id, own) in folders {
            guard let outcome = Outcome.read(own[CIContract.Results.outcomeFile]), let applied = outcome.applied,
                let word = outcome.tests, let tests = MemberResult.Tests(rawValue: word)
            else { continue }
            var notes: [String] = []
            var outcomes = self.tests(own, limits: limits, notes: &notes)
            outcomes?.seconds = outcome.seconds
            results[id] = MemberResult(
                applied: applied, tests: tests, seconds: outcome.seconds, outcomes: outcomes,
                note: notes.isEmpty ? nil : notes.joined(separator: "; "))
        }
        return results
    }

    /// `outcome.json`: `{"applied": bool, "tests": "passed"|"failed"|"timeout"|"error", "seconds": n}`.
    struct Outcome: Decodable {
        var applied: Bool?
        var tests: String?
        var seconds: Double?

        static func read(_ data: Data?) -> Outcome? {
            guard let data, data.count <= 4096, var outcome = try? JSONDecoder().decode(Outcome.self, from: data) else {
                return nil
            }
            if let seconds = outcome.seconds, !(seconds.isFinite && seconds > 0 && seconds < 86_400) {
                outcome.seconds = nil
            }
            return outcome
        }
    }

    static func tests(_ files: [String: Data], limits: EvidenceLimits, notes: inout [String]) -> TestOutcomes? {
        let junit = files.keys.filter { artifactPath($0).hasPrefix(CIContract.Results.junitFolder) }.sorted()
        guard !junit.isEmpty else {
            notes.append("the artifact has no junit/*.xml")
            return nil
        }
        var outcomes = TestOutcomes()
        var budget = limits
        for path in junit {
            guard budget.maxTestCases > 0, let data = files[path] else {
                outcomes.truncated = true
                break
            }
            do {
                let read = try JUnitReport.parse(data, limits: budget)
                budget.maxTestCases -= read.passed.count + read.failed.count
                outcomes = outcomes.merged(with: read)
            } catch {
                notes.append("\(path): \(error)")
                return nil
            }
        }
        return outcomes
    }

    static func coverage(_ files: [String: Data], limits: EvidenceLimits, notes: inout [String]) -> LineCoverage? {
        let reports = files.keys.filter { artifactPath($0).hasPrefix(CIContract.Results.coverageFolder) }.sorted()
        var coverage: LineCoverage?
        for path in reports {
            guard let data = files[path] else { continue }
            do {
                let read =
                    artifactPath(path) == CIContract.Results.lcovFile
                    ? try LCOVReport.parse(data, limits: limits) : try CoberturaReport.parse(data, limits: limits)
                coverage = coverage?.merged(with: read) ?? read
            } catch {
                notes.append("\(path): \(error)")
                return nil
            }
        }
        return coverage
    }
}
