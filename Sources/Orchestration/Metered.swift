import Egress
import Engine
import Foundation
import Logging
import Workflow

/// A document store that counts its operations and their outcomes (conflicts among them).
public struct MeteredStore: DocumentStore {
    let base: any DocumentStore
    let telemetry: Telemetry

    public init(_ base: any DocumentStore, telemetry: Telemetry) {
        self.base = base
        self.telemetry = telemetry
    }

    private func count<T>(_ operation: String, _ body: () async throws(StoreError) -> T) async throws(StoreError) -> T {
        do {
            let result = try await body()
            telemetry.store(operation, outcome: "ok")
            return result
        } catch {
            if case .conflict = error {
                telemetry.store(operation, outcome: "conflict")
            } else {
                telemetry.store(operation, outcome: "error")
            }
            throw error
        }
    }

    public func read(_ key: StoreKey) async throws(StoreError) -> Stored? {
        try await count("read") { () throws(StoreError) in try await base.read(key) }
    }
    public func create(_ key: StoreKey, _ data: Data) async throws(StoreError) -> Version {
        try await count("create") { () throws(StoreError) in try await base.create(key, data) }
    }
    public func replace(_ key: StoreKey, _ data: Data, ifMatch version: Version) async throws(StoreError) -> Version {
        try await count("replace") { () throws(StoreError) in try await base.replace(key, data, ifMatch: version) }
    }
    public func put(_ key: StoreKey, _ data: Data) async throws(StoreError) {
        try await count("put") { () throws(StoreError) in try await base.put(key, data) }
    }
    public func delete(_ key: StoreKey) async throws(StoreError) {
        try await count("delete") { () throws(StoreError) in try await base.delete(key) }
    }
    public func delete(_ key: StoreKey, ifMatch version: Version) async throws(StoreError) {
        try await count("delete") { () throws(StoreError) in try await base.delete(key, ifMatch: version) }
    }
    public func list(prefix: String, startAfter: String?, limit: Int) async throws(StoreError) -> [StoreKey] {
        try await count("list") { () throws(StoreError) in
            try await base.list(prefix: prefix, startAfter: startAfter, limit: limit)
        }
    }
}

/// The effect runner, counting effects by kind and outcome.
public struct MeteredExecutor: EffectExecutor {
    public typealias State = Run
    public let base: EffectRunner
    let telemetry: Telemetry

    func with(logger: Logger) -> MeteredExecutor {
        MeteredExecutor(base: base.with(logger: logger), telemetry: telemetry)
    }

    public func execute(_ effect: Workflow.Effect, tenant: String, workflow: String, lease: EffectLease) async
        -> EffectResult<
            Workflow.Event
        >
    {
        let result = await base.execute(effect, tenant: tenant, workflow: workflow, lease: lease)
        switch result {
        case .completed(.failed): telemetry.effect(effect.kind, outcome: "failed")
        case .completed: telemetry.effect(effect.kind, outcome: "done")
        case .retry: telemetry.effect(effect.kind, outcome: "retry")
        }
        return result
    }
}
