import ArgumentParser
import Foundation
import Ingress
import Workflow

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Sign a webhook payload as GitHub (or a CI provider) would and post it: the local equivalent of a redelivery."
    )

    @Argument(help: "The payload file, as GitHub sends it.") var fixture: String
    @Option(help: "The webhook URL, e.g. http://127.0.0.1:8080/webhooks/github/acme.") var to: String
    @Option(help: "The webhook secret that signs the payload.") var secret: String
    @Option(help: "The event header; guessed from the file name or payload when omitted.") var event: String?
    @Option(help: "The X-GitHub-Delivery header; a new UUID when omitted.") var delivery: String?
    @Option(help: "github, or a CI provider's webhook route (\(Format.routes)); guessed from the payload when omitted.")
    var format: Format?

    /// Whose signature the delivery carries: GitHub's, or a CI provider's on its own route.
    enum Format: ExpressibleByArgument, Equatable {
        case github
        case ci(CIProvider)

        init?(argument: String) {
            if argument == "github" {
                self = .github
            } else if let provider = CIProvider.allCases.first(where: { $0.webhookRoute == argument }) {
                self = .ci(provider)
            } else {
                return nil
            }
        }

        static var routes: String { CIProvider.allCases.compactMap(\.webhookRoute).joined(separator: ", ") }
    }

    func run() async throws {
        guard let body = FileManager.default.contents(atPath: fixture) else { throw CLIError("cannot read \(fixture)") }
        let format = format ?? Self.guessFormat(body: body)
        guard let event = event ?? Self.guessEvent(path: fixture, body: body) else {
            throw CLIError("cannot tell the event type of \(fixture); pass --event")
        }
        let answer: WebhookSender.Answer
        switch format {
        case .github:
            let delivery = delivery ?? UUID().uuidString.lowercased()
            answer = try await WebhookSender.post(body, to: to, event: event, delivery: delivery, secret: secret)
            print("GitHub \(event) delivery \(delivery) → HTTP \(answer.status)")
        case .ci(let provider):
            answer = try await WebhookSender.post(body, to: to, provider: provider, event: event, secret: secret)
            print("\(provider.rawValue) \(event) → HTTP \(answer.status)")
        }
        print(answer.body)
        if !(200..<300).contains(answer.status) { throw ExitCode.failure }
    }

    static func object(_ body: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }

    /// A CI provider's payload when one claims it (`CIProvider.owns`), else GitHub's.
    static func guessFormat(body: Data) -> Format {
        guard let object = object(body) else { return .github }
        let provider = CIProvider.allCases.first { $0.webhookRoute != nil && $0.owns(payload: object) }
        return provider.map(Format.ci) ?? .github
    }

    /// `pull_request.opened.json` → `pull_request`; a CI payload's `event`; otherwise the payload's telltale key.
    static func guessEvent(path: String, body: Data) -> String? {
        if case .ci = guessFormat(body: body), let event = object(body)?["event"] as? String { return event }
        let name = URL(fileURLWithPath: path).lastPathComponent
        for event in ["pull_request", "workflow_run", "ping"]
        where name.hasPrefix(event + ".") || name == "\(event).json" {
            return event
        }
        guard let object = object(body) else { return nil }
        if object["pull_request"] != nil { return "pull_request" }
        if object["workflow_run"] != nil { return "workflow_run" }
        if object["zen"] != nil { return "ping" }
        return nil
    }
}
