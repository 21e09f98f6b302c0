import Foundation
import FoundationNetworking
import HTTPTypes
import Hashing
import Hummingbird
import Workflow

/// One webhook delivery the simulator made, as GitHub lists it under a hook's deliveries.
public struct SimulatedDelivery: Sendable, Equatable {
    public var id: Int64
    /// The `X-GitHub-Delivery`; a redelivery carries the first one's.
    public var guid: String
    public var event: String
    public var action: String?
    /// The receiver's answer; 0 when none came.
    public var statusCode: Int
    public var deliveredAt: Date
    public var redelivery: Bool
    public var body: Data
}

/// Webhooks as GitHub sends them (signed, each delivery logged with its answer), the hook
/// deliveries API that lists them and delivers one again, and the PR's buttons.
extension GitHubSimulator {
    /// Sends `payload` as a `event` webhook to the target, signed like GitHub's, and logs the
    /// delivery with the answer's status (0 when none came). Returns the status.
    @discardableResult
    public func send(event: String, payload: Data, guid: String? = nil, redelivery: Bool = false) async -> Int {
        let target = await state.webhookTarget ?? (options.webhookURL, options.webhookSecret)
        let delivery = guid ?? UUID().uuidString.lowercased()
        var status = 0
        if let url = URL(string: target.url) {
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.httpBody = payload
            request.timeoutInterval = 10
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue(event, forHTTPHeaderField: CIContract.GitHub.eventHeader)
            request.setValue(delivery, forHTTPHeaderField: CIContract.GitHub.deliveryHeader)
            request.setValue("GitHub-Hookshot/simulator", forHTTPHeaderField: "User-Agent")
            let signature = "sha256=" + Hex.encode(HMAC.sha256(key: Array(target.secret.utf8), payload))
            request.setValue(signature, forHTTPHeaderField: CIContract.GitHub.signatureHeader)
            if let (_, response) = try? await URLSession.shared.data(for: request) {
                status = (response as? HTTPURLResponse)?.statusCode ?? 0
            }
        }
        let action = (try? JSONSerialization.jsonObject(with: payload) as? [String: Any])?["action"] as? String
        await state.logDelivery(
            SimulatedDelivery(
                id: await state.newID(), guid: delivery, event: event, action: action, statusCode: status,
                deliveredAt: Date(), redelivery: redelivery, body: payload))
        return status
    }

    /// The Re-run button (`button` nil) or one of the check run's buttons, clicked on the PR.
    @discardableResult
    public func click(checkRun id: Int64, button: String? = nil) async -> Int {
        guard let check = await state.checkRuns.first(where: { $0.id == id }) else { return 0 }
        var payload: [String: Any] = [
            "action": button == nil ? "rerequested" : "requested_action",
            "check_run": [
                "id": check.id, "name": check.name, "head_sha": check.headSHA, "external_id": check.externalID ?? "",
                "status": check.status, "conclusion": check.conclusion ?? NSNull(),
                "app": ["id": options.app?.id ?? 1] as [String: Any],
                "pull_requests": [["number": options.pullNumber]],
            ] as [String: Any],
        ]
        if let button { payload["requested_action"] = ["identifier": button] }
        return await send(event: "check_run", payload: Self.withRepository(payload, options))
    }

    /// "Re-run all checks" on a commit of PR `number`.
    @discardableResult
    public func rerunAllChecks(headSHA: String, pullNumber: Int) async -> Int {
        let payload: [String: Any] = [
            "action": "rerequested",
            "check_suite": [
                "id": 118_578_147, "head_sha": headSHA, "head_branch": "feature", "status": "completed",
                "pull_requests": [["number": pullNumber]], "app": ["id": options.app?.id ?? 1] as [String: Any],
            ] as [String: Any],
        ]
        return await send(event: "check_suite", payload: Self.withRepository(payload, options))
    }

    static func withRepository(_ payload: [String: Any], _ options: Options) -> Data {
        var payload = payload
        payload["repository"] =
            [
                "id": 1_296_269, "name": options.repo, "full_name": "\(options.owner)/\(options.repo)",
                "owner": ["login": options.owner, "id": 1, "type": "Organization"] as [String: Any],
            ] as [String: Any]
        payload["installation"] = ["id": options.installationID]
        payload["sender"] = ["login": "octocat", "id": 5346, "type": "User"] as [String: Any]
        return (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data()
    }

    struct DeliveryJSON: Encodable {
        var id: Int64
        var guid: String
        var delivered_at: String
        var redelivery: Bool
        var duration: Double
        var status: String
        var status_code: Int
        var event: String
        var action: String?
        var installation_id: Int64?
        var repository_id: Int64?
    }

    /// `GET …/deliveries` (newest first, `per_page`, `cursor`, a `Link` to the next page) and
    /// `POST …/deliveries/{id}/attempts` for the App's hook (JWT) and a repository's hook (token).
    func addDeliveries(
        _ router: Router<BasicRequestContext>, prefix: String, authorized: @escaping @Sendable (Request) -> String?
    ) {
        router.get(RouterPath(prefix + "/deliveries")) { request, _ in
            if let problem = authorized(request) { return Self.json(["message": problem], status: .unauthorized) }
            let query = request.uri.queryParameters
            let perPage = min(max(query.get("per_page", as: Int.self) ?? 30, 1), 100)
            let before = query.get("cursor").flatMap { Int64($0.dropFirst(3)) } ?? .max
            let all = await state.deliveries.filter { $0.id < before }.sorted { $0.id > $1.id }
            let page = Array(all.prefix(perPage))
            var headers: HTTPFields = [.contentType: "application/json"]
            if all.count > perPage, let last = page.last {
                headers[HTTPField.Name("Link")!] =
                    "<http://\(request.head.authority ?? "localhost")\(prefix)/deliveries?per_page=\(perPage)&cursor=v1_\(last.id)>; rel=\"next\""
            }
            let formatter = ISO8601DateFormatter()
            let body = page.map {
                DeliveryJSON(
                    id: $0.id, guid: $0.guid, delivered_at: formatter.string(from: $0.deliveredAt),
                    redelivery: $0.redelivery, duration: 0.1,
                    status: $0.statusCode == 0 ? "timed out" : "\($0.statusCode)",
                    status_code: $0.statusCode, event: $0.event, action: $0.action,
                    installation_id: options.app?.installationID, repository_id: 1_296_269)
            }
            let data = (try? JSONEncoder().encode(body)) ?? Data("[]".utf8)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post(RouterPath(prefix + "/deliveries/{delivery}/attempts")) { request, context in
            if let problem = authorized(request) { return Self.json(["message": problem], status: .unauthorized) }
            let id = context.parameters.get("delivery", as: Int64.self) ?? 0
            guard let delivery = await state.deliveries.first(where: { $0.id == id }) else {
                return Self.json(["message": "Not Found"], status: .notFound)
            }
            await state.log("POST redelivery \(delivery.guid)")
            enqueue.yield(.redeliver(delivery))
            return Self.json([String: String](), status: .accepted)
        }
    }
}
