import Engine
import Workflow

/// What one change to a tenant's slot document decided.
struct SlotOutcome: Sendable {
    var decision: TenantSlots.Decision?
    /// Whether the workflow was in the queue before the change.
    var waiting = false
    /// Workflows a freed slot is now promised to.
    var woken: [String] = []
}

/// Group commit for tenants' slot documents: the changes that arrive while one write is under
/// way are applied together in the next compare-and-swap write, so a burst of dispatches and
/// releases costs a few writes instead of one each, and concurrent copies contend less.
actor SlotLedger {
    typealias Change = @Sendable (inout TenantSlots) -> SlotOutcome

    private struct Pending {
        var change: Change
        var continuation: CheckedContinuation<Result<SlotOutcome, StoreError>, Never>
    }

    private let documents: SideDocuments
    private var queued: [String: [Pending]] = [:]
    private var writing: Set<String> = []

    private var verified: [String: Instant] = [:]

    init(documents: SideDocuments) { self.documents = documents }

    /// Whether this process should look over the tenant's slots for lost ones now (and notes that it did).
    func dueForVerifying(_ tenant: String, now: Instant, every seconds: Int64) -> Bool {
        if let last = verified[tenant], last.adding(seconds: seconds) > now { return false }
        verified[tenant] = now
        return true
    }

    /// Where a tenant's slots live.
    static func document(_ tenant: String) throws(StoreError) -> SideDocument<TenantSlots> {
        SideDocument(key: try StoreKey.tenantSlots(tenant), initial: TenantSlots())
    }

    /// Applies `change` to the tenant's slot document, together with whatever else is waiting.
    func apply(_ tenant: String, _ change: @escaping Change) async throws(StoreError) -> SlotOutcome {
        let result = await withCheckedContinuation { continuation in
            queued[tenant, default: []].append(Pending(change: change, continuation: continuation))
            if !writing.contains(tenant) {
                writing.insert(tenant)
                Task { await self.drain(tenant) }
            }
        }
        return try result.get()
    }

    /// Writes batches for `tenant` until nothing is waiting.
    private func drain(_ tenant: String) async {
        await Task.yield()
        while let batch = queued.removeValue(forKey: tenant), !batch.isEmpty {
            let changes = batch.map(\.change)
            let result: Result<[SlotOutcome], StoreError>
            do {
                let document = try Self.document(tenant)
                result = .success(try await documents.modify(document) { slots in changes.map { $0(&slots) } })
            } catch {
                result = .failure(error)
            }
            for (index, pending) in batch.enumerated() {
                pending.continuation.resume(returning: result.map { $0[index] })
            }
        }
        writing.remove(tenant)
    }
}
