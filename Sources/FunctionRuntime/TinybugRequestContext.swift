import Hummingbird
import Orchestration

/// The request context of every function: Hummingbird's core, plus the tenant the request was
/// authorized for (set by `TenantAuthMiddleware` on `/api/v1/tenants/{tenant}/…` and
/// `/ui/tenants/{tenant}/…`). The logger carries the request's id (`RequestIDMiddleware`).
public struct TinybugRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authorized tenant; nil on routes without tenant auth.
    public var tenant: Tenant?

    public init(source: Source) {
        coreContext = .init(source: source)
        tenant = nil
    }

    /// The authorized tenant's id, for handlers behind `TenantAuthMiddleware`.
    var tenantID: String { tenant?.id ?? "" }
}
