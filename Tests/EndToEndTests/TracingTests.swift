import Foundation
import FoundationNetworking
import Simulators
import Testing

/// Traces across the gateway and a function, exported over OTLP/HTTP to a loopback receiver
/// that decodes them with `opentelemetry-proto` (PyPI).
@Suite(.serialized) struct TracingTests {
    /// The receiver (`Tests/Tools/otlp-receiver.py`): its port, the file its spans go to, and the process.
    static func receiver() throws -> (Int, URL, Process) {
        let spans = FileManager.default.temporaryDirectory.appendingPathComponent("tinybug-spans-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", FunctionProcesses.root.appendingPathComponent("Tests/Tools/otlp-receiver.py").path, spans.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = output.fileHandleForReading.availableData
        let port = try #require(
            Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        return (port, spans, process)
    }

    /// Runs `body` with a receiver's port and its spans file, then stops the receiver.
    static func withReceiver(_ body: (Int, URL) async throws -> Void) async throws {
        let (port, file, receiver) = try Self.receiver()
        defer {
            receiver.terminate()
            receiver.waitUntilExit()
        }
        try await body(port, file)
    }

    /// The spans of `trace` the receiver has written, once `enough` says they are all there.
    static func spans(in file: URL, trace: String, until enough: @escaping ([Span]) -> Bool) async throws -> [Span]? {
        try await poll { () -> [Span]? in
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            let spans = text.split(separator: "\n").compactMap {
                try? JSONDecoder().decode(Span.self, from: Data($0.utf8))
            }.filter { $0.trace_id == trace }
            return enough(spans) ? spans : nil
        }
    }

    struct Span: Decodable {
        var name: String
        var trace_id: String
        var span_id: String
        var parent_span_id: String
        var attributes: [String: AnyValue]
        var service: String?

        enum AnyValue: Decodable {
            case string(String)
            case number(Double)
            case bool(Bool)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    self = .string(text)
                } else if let flag = try? container.decode(Bool.self) {
                    self = .bool(flag)
                } else {
                    self = .number(try container.decode(Double.self))
                }
            }
        }

        func text(_ key: String) -> String? { if case .string(let value) = attributes[key] { value } else { nil } }
        func number(_ key: String) -> Double? { if case .number(let value) = attributes[key] { value } else { nil } }
    }

    @Test func `one webhook's spans form a tree under the traceparent it came with, and its log lines carry the ids`()
        async throws
    {
        try await Self.withReceiver { port, file in
            let otel = [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)", "OTEL_BSP_SCHEDULE_DELAY": "100",
                "OTEL_METRICS_EXPORTER": "none", "OTEL_LOGS_EXPORTER": "none",
            ]
            try await GatewayTests.withGateway(environment: otel) { _, processes, gateway in
                let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
                let parent = "00f067aa0ba902b7"
                let body = try fixture("github/pull_request.opened.json")
                var headers = GatewayTests.signed(body, event: "pull_request")
                headers["traceparent"] = "00-\(trace)-\(parent)-01"
                let (status, answer, _) = try await GatewayTests.post(
                    "http://127.0.0.1:\(gateway.port)/webhooks/github/acme", body: body, headers: headers)
                #expect(status == 202)
                let workflow = try #require(answer["workflow"] as? String)
                let spans = try await Self.spans(in: file, trace: trace) {
                    $0.contains { $0.name.hasPrefix("tinybug github.") }
                }
                let tree = try #require(spans)
                // The request span is the traceparent's child; the webhook's span is the request's.
                let request = try #require(tree.first { $0.parent_span_id == parent })
                #expect(request.service == "pull-request")
                #expect(request.text("http.request.method") == "POST")
                let webhook = try #require(tree.first { $0.name == "tinybug github.pull_request" })
                #expect(webhook.parent_span_id == request.span_id)
                #expect(webhook.text("tinybug.tenant") == "acme" && webhook.text("tinybug.workflow") == workflow)
                #expect(webhook.number("tinybug.answer") == 202)
                // Its children: store operations and calls to GitHub, each naming what it did.
                let below = Set(tree.filter { $0.parent_span_id == webhook.span_id }.map(\.name))
                #expect(below.contains("store create") && below.contains("store read"))
                #expect(
                    tree.contains {
                        $0.name.hasPrefix("POST 127.0.0.1") && $0.text("url.path")?.hasSuffix("/check-runs") == true
                    })
                // Every span of the trace hangs off the traceparent's tree.
                let ids = Set(tree.map(\.span_id)).union([parent])
                #expect(tree.allSatisfy { ids.contains($0.parent_span_id) })
                // The function's log lines of that request carry the trace and its span.
                let lines = processes.log("pull-request").split(separator: "\n").filter {
                    $0.contains("Started workflow")
                }
                #expect(lines.contains { $0.contains("\"trace_id\":\"\(trace)\"") && $0.contains("\"span_id\":") })
            }
        }
    }

    @Test func `the gateway makes a traceparent for a request that came without one`() async throws {
        try await Self.withReceiver { port, file in
            try await GatewayTests.withGateway(
                environment: [
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)", "OTEL_BSP_SCHEDULE_DELAY": "100",
                ]
            ) { _, _, gateway in
                let body = try fixture("github/pull_request.opened.json")
                let (status, _, response) = try await GatewayTests.post(
                    "http://127.0.0.1:\(gateway.port)/webhooks/github/acme", body: body,
                    headers: GatewayTests.signed(body, event: "pull_request"))
                #expect(status == 202)
                let requestID = try #require(response?.value(forHTTPHeaderField: "X-Request-Id"))
                // nginx's request id is the trace id of the traceparent it made.
                let spans = try await Self.spans(in: file, trace: requestID) {
                    $0.contains { $0.name == "tinybug github.pull_request" }
                }
                // Found at all: the webhook's span is in the trace nginx began.
                #expect(spans != nil)
            }
        }
    }
}
