import Hashing
import Workflow

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a delivery on a CI provider's own webhook route means, whichever provider sent it.
public enum CIDelivery: Equatable, Sendable {
    case ping
    /// A run finished. `job` is nil when the run is not one of ours; `eventID` is stable across
    /// redeliveries of the same outcome.
    case finished(job: JobKey?, CIConclusion, runID: Int64?, url: String?, eventID: String)
    case ignored(String)
}

/// What a tenant configured to authenticate a CI provider's webhooks.
public struct CIWebhookCredentials: Sendable {
    /// The HMAC secret deliveries are signed with.
    public var secret: Secret?
    /// A plain token, for providers that send one instead of a signature.
    public var token: Secret?

    public init(secret: Secret?, token: Secret?) {
        self.secret = secret
        self.token = token
    }
}
