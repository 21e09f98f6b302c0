import Engine

/// A tenant's own state, stored beside its workflows: new workflows of a paused tenant start paused.
struct TenantState: Codable, Sendable, Equatable {
    var paused: Bool

    static func document(_ tenant: String) throws(StoreError) -> SideDocument<TenantState> {
        SideDocument(key: try StoreKey.tenantState(tenant), initial: TenantState(paused: false))
    }
}
