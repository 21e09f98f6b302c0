import Egress
import Engine
import Foundation
import Logging
import Workflow

/// The mutated files' text at a workflow's head commit, kept beside it once fetched: a file is
/// asked of GitHub once, however often the report is read.
struct SourceFiles: Codable, Sendable, Equatable {
    var files: [String: String]
    /// Files GitHub did not serve as text, so they are not asked for again.
    var unavailable: Set<String>

    static func document(tenant: String, workflow: String) throws(StoreError) -> SideDocument<SourceFiles> {
        SideDocument(
            key: try StoreKey.sources(tenant: tenant, workflow: workflow), initial: Self(files: [:], unavailable: []))
    }
}

extension Orchestrator {
    /// `GET …/workflows/{workflow}/report`: the workflow in Stryker's mutation-testing-report-schema.
    public func report(tenant: String, workflow: String) async throws(ContractError) -> MutationTestingReport {
        let run = try await document(tenant: tenant, workflow: workflow).state
        let paths = Set((run.plan ?? []).map(\.path))
        do {
            let document = try SourceFiles.document(tenant: tenant, workflow: workflow)
            var sources = try await engine.sideDocuments.read(document)
            let missing = paths.subtracting(sources.files.keys).subtracting(sources.unavailable).sorted()
            if !missing.isEmpty, let fetched = await fetchSources(run.pullRequest, missing, tenant: tenant) {
                sources = try await engine.sideDocuments.modify(document) { stored in
                    stored.files.merge(fetched) { kept, _ in kept }
                    stored.unavailable.formUnion(Set(missing).subtracting(fetched.keys))
                    return stored
                }
            }
            return MutationTestingReport(run, sources: sources.files)
        } catch {
            throw refused(.store(error), ["tenant.id": "\(tenant)", "workflow.id": "\(workflow)"])
        }
    }

    /// The files from GitHub; when GitHub cannot be asked now, the report goes out without them
    /// (and asks again next time).
    private func fetchSources(_ pr: PullRequest, _ paths: [String], tenant: String) async -> [String: String]? {
        do {
            return try await executor.base.base.fileContents(pr, paths: paths, tenant: tenant)
        } catch {
            logger.warning("file sources unavailable", metadata: ["tenant.id": "\(tenant)", "error": "\(error)"])
            return nil
        }
    }
}
