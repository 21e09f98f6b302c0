import Engine
import Foundation
import Workflow

/// The workflows of one PR, kept in a small document beside them, so a push or a close finds
/// them in one read.
struct PullRequestIndex: Codable, Sendable, Equatable {
    static let limit = 100
    var workflows: [String]

    static func document(_ pr: PullRequest, tenant: String) throws(EngineError) -> SideDocument<PullRequestIndex> {
        let name = String(Identifier.prPrefix(for: pr).dropLast(2))
        do {
            return SideDocument(
                key: try StoreKey.pullRequestIndex(tenant: tenant, pr: name), initial: Self(workflows: []))
        } catch {
            throw .store(error)
        }
    }
}

extension Orchestrator {
    /// The ids of the PR's workflows, oldest first.
    func workflows(of pr: PullRequest, tenant: String) async throws(EngineError) -> [String] {
        let document = try PullRequestIndex.document(pr, tenant: tenant)
        do { return try await engine.sideDocuments.read(document).workflows } catch { throw .store(error) }
    }

    /// Adds `id` to the PR's index (before the workflow is created, so a crash in between leaves
    /// an id that simply finds no document).
    func remember(_ id: String, of pr: PullRequest, tenant: String) async throws(EngineError) {
        let document = try PullRequestIndex.document(pr, tenant: tenant)
        do {
            try await engine.sideDocuments.modify(document) { index in
                guard !index.workflows.contains(id) else { return }
                index.workflows = Array((index.workflows + [id]).suffix(PullRequestIndex.limit))
            }
        } catch {
            throw .store(error)
        }
    }
}
