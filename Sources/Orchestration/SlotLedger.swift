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

    private let documents: SideDocuments
    private let writes = WriteQueue<Change, Result<SlotOutcome, StoreError>>()
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
    nonisolated func apply(_ tenant: String, _ change: @escaping Change) async throws(StoreError) -> SlotOutcome {
        let documents = documents
        return try await writes.submit(tenant, change) { changes in
            do throws(StoreError) {
                let outcomes = try await documents.modify(try Self.document(tenant)) { slots in
                    changes.map { $0(&slots) }
                }
                return outcomes.map { .success($0) }
            } catch {
                return changes.map { _ in .failure(error) }
            }
        }.get()
    }
}
