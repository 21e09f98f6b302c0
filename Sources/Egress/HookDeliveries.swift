import Foundation
import FoundationNetworking
import Hashing

/// A webhook's recent deliveries, and asking GitHub to deliver one again: the GitHub App's
/// (`/app/hook/deliveries`, with the App's JWT) or a repository webhook's
/// (`/repos/{owner}/{repo}/hooks/{hook_id}/deliveries`, with a token that can manage hooks).
/// GitHub keeps about three days of them and never redelivers on its own.
public struct HookDeliveries: Sendable {
    /// One delivery as GitHub lists it.
    public struct Delivery: Decodable, Sendable, Equatable {
        public var id: Int64
        /// The `X-GitHub-Delivery` of the first delivery; a redelivery carries the same.
        public var guid: String
        public var delivered_at: String
        public var redelivery: Bool?
        /// The receiver's answer; 0 when there was none.
        public var status_code: Int
        public var event: String
        public var action: String?
    }

    let client: RESTClient
    let path: String

    /// The GitHub App's deliveries, with a fresh JWT.
    public static func app(_ app: GitHubApp, apiURL: String) throws(RESTError) -> HookDeliveries {
        HookDeliveries(client: try app.client(apiURL: apiURL), path: "/app/hook")
    }

    /// A repository webhook's deliveries, with `token`.
    public static func repository(owner: String, repo: String, hookID: Int64, token: Secret, apiURL: String)
        -> HookDeliveries
    {
        let path = "/repos/\(PathSegment.encode(owner))/\(PathSegment.encode(repo))/hooks/\(hookID)"
        return HookDeliveries(client: RESTClient(baseURL: apiURL, headers: GitHubClient.headers(token)), path: path)
    }

    /// One page, newest first, and the cursor of the next (older) page, if there is one.
    public func page(cursor: String?, perPage: Int = 100) async throws(RESTError) -> ([Delivery], String?) {
        var query = "per_page=\(perPage)"
        if let cursor { query += "&cursor=\(PathSegment.encode(cursor))" }
        let (_, data, response) = try await client.exchange("GET", "\(path)/deliveries?\(query)")
        let deliveries: [Delivery]
        do { deliveries = try JSONDecoder().decode([Delivery].self, from: data) } catch {
            throw .decoding("\(path)/deliveries: \(error)")
        }
        return (deliveries, Self.nextCursor(response.value(forHTTPHeaderField: "Link")))
    }

    /// Asks GitHub to deliver `id` again (it answers 202; the new attempt is a new delivery).
    public func redeliver(_ id: Int64) async throws(RESTError) {
        _ = try await client.send("POST", "\(path)/deliveries/\(id)/attempts")
    }

    /// The `cursor` of a `Link` header's `rel="next"` URL.
    static func nextCursor(_ link: String?) -> String? {
        guard let link else { return nil }
        for part in link.split(separator: ",") where part.contains("rel=\"next\"") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"),
                let components = URLComponents(string: String(part[part.index(after: open)..<close]))
            else { continue }
            return components.queryItems?.first { $0.name == "cursor" }?.value
        }
        return nil
    }
}
