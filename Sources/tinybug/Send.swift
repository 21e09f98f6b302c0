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

    func run() async throws {
        guard let body = FileManager.default.contents(atPath: fixture) else { throw CLIError("cannot read \(fixture)") }
        guard let event = event ?? Self.guessEvent(path: fixture, body: body) else {
            throw CLIError("cannot tell the event type of \(fixture); pass --event")
        }
        let delivery = delivery ?? UUID().uuidString.lowercased()
        let answer = try await WebhookSender.post(body, to: to, event: event, delivery: delivery, secret: secret)
        print("\(event) delivery \(delivery) → HTTP \(answer.status)")
        print(answer.body)
        if !(200..<300).contains(answer.status) { throw ExitCode.failure }
    }

    /// `pull_request.opened.json` → `pull_request`; otherwise the payload's telltale key.
    static func guessEvent(path: String, body: Data) -> String? {
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
