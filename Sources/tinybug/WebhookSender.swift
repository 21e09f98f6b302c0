import Foundation
import FoundationNetworking
import Hashing
import Ingress
import Workflow

/// Posts a webhook signed the way GitHub signs it: the same as a redelivery from GitHub's settings page.
enum WebhookSender {
    struct Answer {
        var status: Int
        var body: String
    }

    static func post(_ body: Data, to url: String, event: String, delivery: String, secret: String) async throws
        -> Answer
    {
        try await send(
            body, to: url,
            headers: [
                "X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "User-Agent": "GitHub-Hookshot/tinybug-send",
                "X-Hub-Signature-256": Signature.gitHubHeader(body: body, secret: Secret(secret)),
            ])
    }

    /// Posts a webhook signed the way `provider` signs it, timestamped now.
    static func post(_ body: Data, to url: String, provider: CIProvider, event: String, secret: String) async throws
        -> Answer
    {
        let now = Int64(Date().timeIntervalSince1970)
        return try await send(
            body, to: url, headers: provider.signedHeaders(body: body, secret: Secret(secret), event: event, now: now))
    }

    private static func send(_ body: Data, to url: String, headers: [String: String]) async throws -> Answer {
        guard let target = URL(string: url) else { throw CLIError("not a URL: \(url)") }
        var request = URLRequest(url: target)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Answer(
            status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self))
    }
}

extension Demo {
    static func sendPullRequest(_ body: Data, port: Int) async throws -> String {
        let answer = try await WebhookSender.post(
            body, to: "http://127.0.0.1:\(port)/webhooks/github/\(tenant)", event: "pull_request",
            delivery: UUID().uuidString.lowercased(), secret: secret)
        struct Accepted: Decodable { var workflow: String? }
        guard answer.status == 202,
            let workflow = try? JSONDecoder().decode(Accepted.self, from: Data(answer.body.utf8)).workflow
        else {
            throw CLIError("the pull request webhook was not accepted: HTTP \(answer.status) \(answer.body)")
        }
        return workflow
    }
}
