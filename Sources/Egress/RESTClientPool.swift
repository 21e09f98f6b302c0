import Foundation
import Hashing
import Synchronization

/// One `RESTClient` (and so one URLSession and its connections) per host and credential, shared by
/// every effect that calls them, instead of a new session per effect.
public final class RESTClientPool: Sendable {
    private struct Key: Hashable {
        var baseURL: String
        /// A digest of the credential, so no token is kept as a dictionary key.
        var credential: [UInt8]
    }

    /// Installation tokens rotate hourly; past this many clients the pool starts over.
    static let limit = 256
    private let clients = Mutex<[Key: RESTClient]>([:])

    public init() {}

    /// The client for `baseURL` with `token`, made with `headers(token)` the first time.
    public func client(_ baseURL: String, token: Secret, headers: (Secret) -> [String: String]) -> RESTClient {
        let key = Key(baseURL: baseURL, credential: SHA256.digest(token.bytes))
        return clients.withLock { clients in
            if let known = clients[key] { return known }
            if clients.count >= Self.limit { clients.removeAll() }
            let made = RESTClient(baseURL: baseURL, headers: headers(token))
            clients[key] = made
            return made
        }
    }

    /// How many clients the pool holds.
    public var count: Int { clients.withLock { $0.count } }
}
