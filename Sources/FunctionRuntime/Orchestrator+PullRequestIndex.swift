import Engine
import Foundation
import Workflow

/// The workflows of one PR, kept in a small document beside them.
struct PullRequestIndex: Codable {
    static let limit = 100
    var workflows: [String]
}

extension Orchestrator {
    func indexKey(_ pr: PullRequest, tenant: String) throws(EngineError) -> StoreKey {
        let name = String(Identifier.prPrefix(for: pr).dropLast(2))
        do { return try StoreKey.pullRequestIndex(tenant: tenant, pr: name) } catch { throw .store(error) }
    }

    /// The ids of the PR's workflows, oldest first.
    func workflows(of pr: PullRequest, tenant: String) async throws(EngineError) -> [String] {
        do {
            guard let stored = try await engine.store.read(try indexKey(pr, tenant: tenant)) else { return [] }
            return (try? JSONDecoder().decode(PullRequestIndex.self, from: stored.data).workflows) ?? []
        } catch let error as EngineError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.corrupt("\(error)"))
        }
    }

    /// Adds `id` to the PR's index (compare-and-swap; before the workflow is created, so a crash
    /// in between leaves an id that simply finds no document).
    func remember(_ id: String, of pr: PullRequest, tenant: String) async throws(EngineError) {
        let key = try indexKey(pr, tenant: tenant)
        for _ in 0..<12 {
            do {
                let stored = try await engine.store.read(key)
                var index = stored.flatMap { try? JSONDecoder().decode(PullRequestIndex.self, from: $0.data) } ?? PullRequestIndex(workflows: [])
                guard !index.workflows.contains(id) else { return }
                index.workflows = Array((index.workflows + [id]).suffix(PullRequestIndex.limit))
                let data = try JSONEncoder().encode(index)
                if let stored { _ = try await engine.store.replace(key, data, ifMatch: stored.version) } else { _ = try await engine.store.create(key, data) }
                return
            } catch StoreError.conflict {
                try? await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
            } catch let error as StoreError {
                throw .store(error)
            } catch {
                throw .store(.corrupt("\(error)"))
            }
        }
        throw .tooManyConflicts("\(key)")
    }
}
