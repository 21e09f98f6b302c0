import ArgumentParser
import Foundation

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign a webhook payload as GitHub would and post it: the local equivalent of a redelivery.")

    @Argument(help: "The payload file, as GitHub sends it.") var fixture: String
    @Option(help: "The webhook URL, e.g. http://127.0.0.1:8080/webhooks/github/acme.") var to: String
    @Option(help: "The webhook secret that signs the payload.") var secret: String
    @Option(help: "The X-GitHub-Event header; guessed from the file name or payload when omitted.") var event: String?
    @Option(help: "The X-GitHub-Delivery header; a new UUID when omitted.") var delivery: String?
    @Option(help: "github or buildkite; guessed from the payload when omitted.") var format: Format?

    enum Format: String, ExpressibleByArgument { case github, buildkite }

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
        case .buildkite:
            answer = try await WebhookSender.postBuildkite(body, to: to, event: event, secret: secret)
            print("Buildkite \(event) → HTTP \(answer.status)")
        }
        print(answer.body)
        if !(200..<300).contains(answer.status) { throw ExitCode.failure }
    }

    /// Buildkite payloads name their event in the body and carry a `build` or `service`.
    static func guessFormat(body: Data) -> Format {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return .github }
        return object["event"] is String && (object["build"] != nil || object["service"] != nil) ? .buildkite : .github
    }

    /// `pull_request.opened.json` → `pull_request`; a Buildkite body's `event`; otherwise the payload's telltale key.
    static func guessEvent(path: String, body: Data) -> String? {
        if guessFormat(body: body) == .buildkite,
            let event = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["event"] as? String
        {
            return event
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        for event in ["pull_request", "workflow_run", "ping"] where name.hasPrefix(event + ".") || name == "\(event).json" {
            return event
        }
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        if object["pull_request"] != nil { return "pull_request" }
        if object["workflow_run"] != nil { return "workflow_run" }
        if object["zen"] != nil { return "ping" }
        return nil
    }
}
