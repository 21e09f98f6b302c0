import Foundation
import FoundationNetworking
import Simulators
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The dashboard and the alert rules against the real tools: `promtool` checks and unit-tests the
/// rules, and a real Prometheus on loopback scrapes the functions behind nginx and answers every
/// dashboard query.
@Suite(.serialized) struct ObservabilityTests {
    static let folder = FunctionProcesses.root.appendingPathComponent("infra/observability")

    static func run(_ tool: String, _ arguments: [String], in directory: URL) throws -> (Int32, String) {
        try FunctionProcesses.captured(URL(fileURLWithPath: "/usr/bin/env"), [tool] + arguments, in: directory)
    }

    @Test func `promtool checks the alert rules and passes a unit test of every alert`() throws {
        let (checked, said) = try Self.run("promtool", ["check", "rules", "alerts.yml"], in: Self.folder)
        #expect(checked == 0, "\(said)")
        let (tested, output) = try Self.run("promtool", ["test", "rules", "alerts.test.yml"], in: Self.folder)
        #expect(tested == 0, "\(output)")
        let rules = try String(contentsOf: Self.folder.appendingPathComponent("alerts.yml"), encoding: .utf8)
        let tests = try String(contentsOf: Self.folder.appendingPathComponent("alerts.test.yml"), encoding: .utf8)
        let alerts = rules.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "- alert: ") else { return nil }
            return String(line[range.upperBound...])
        }
        #expect(alerts.count == 6)
        for alert in alerts { #expect(tests.contains("alertname: \(alert)"), "no unit test for \(alert)") }
    }

    /// Every query of every panel of the dashboard.
    static func dashboardQueries() throws -> [String] {
        let data = try Data(contentsOf: folder.appendingPathComponent("grafana-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        return panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
    }

    @Test func `a real Prometheus scrapes the functions behind nginx and answers every dashboard query`() async throws {
        let queries = try Self.dashboardQueries()
        #expect(queries.count >= 8)
        try await GatewayTests.withGateway { _, processes, gateway in
            let base = "http://127.0.0.1:\(gateway.port)"
            let body = try fixture("github/pull_request.opened.json")
            let (status, answer, _) = try await GatewayTests.post(
                "\(base)/webhooks/github/acme", body: body, headers: GatewayTests.signed(body, event: "pull_request"))
            #expect(status == 202)
            let workflow = try #require(answer["workflow"] as? String)
            let targets = processes.running.values.map { "\"127.0.0.1:\($0.port)\"" }.joined(separator: ", ")
            let port = try SeaweedServer.freePort()
            let config = processes.folder.appendingPathComponent("prometheus.yml")
            try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: tinybug
                static_configs:
                  - targets: [\(targets)]
            """.write(to: config, atomically: true, encoding: .utf8)
            let prometheus = Process()
            prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            prometheus.arguments = [
                "prometheus", "--config.file=\(config.path)",
                "--storage.tsdb.path=\(processes.folder.appendingPathComponent("tsdb").path)",
                "--web.listen-address=127.0.0.1:\(port)",
            ]
            prometheus.standardOutput = FileHandle.nullDevice
            prometheus.standardError = FileHandle.nullDevice
            try prometheus.run()
            defer {
                prometheus.terminate()
                prometheus.waitUntilExit()
            }
            let api = "http://127.0.0.1:\(port)"
            // The measurement runs while Prometheus scrapes: ticks make the timer's series.
            let done = try await poll(timeout: .seconds(120)) { () async throws -> Bool? in
                _ = try? await GatewayTests.tick(base)
                let (_, data) = try await GatewayTests.get(
                    "\(base)/api/v1/tenants/acme/workflows/\(workflow)", token: Harness.apiToken)
                let state = ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["state"]
                return (state as? [String: Any])?["phase"] as? String == "done" ? true : nil
            }
            #expect(done == true)
            for query in queries {
                let answered = try await poll(timeout: .seconds(60)) { () async throws -> Bool? in
                    var components = URLComponents(string: "\(api)/api/v1/query")!
                    components.queryItems = [URLQueryItem(name: "query", value: query)]
                    guard let (data, _) = try? await URLSession.shared.data(from: components.url!),
                        let reply = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                        reply["status"] as? String == "success",
                        let result = (reply["data"] as? [String: Any])?["result"] as? [Any], !result.isEmpty
                    else { return nil }
                    return true
                }
                #expect(answered == true, "the dashboard query \(query) found no data")
            }
        }
    }
}

/// The deployment files, checked by the tools operators trust: the Kubernetes manifests against
/// the API's schemas (`kubernetes-validate`, offline, strict) and the Dockerfile by hadolint.
struct DeployToolTests {
    @Test func `the Kubernetes manifests validate strictly against the API schemas`() throws {
        let manifests = try FileManager.default.contentsOfDirectory(
            atPath: FunctionProcesses.root.appendingPathComponent("infra/k8s").path
        ).filter { $0.hasSuffix(".yaml") }.sorted().map { "infra/k8s/\($0)" }
        #expect(manifests.count >= 4)
        let (status, output) = try ObservabilityTests.run(
            "kubernetes-validate", ["--strict"] + manifests, in: FunctionProcesses.root)
        #expect(status == 0, "\(output)")
        #expect(!output.contains("ERROR") && !output.contains("WARN"), "\(output)")
    }

    @Test func `hadolint finds nothing in the Dockerfile`() throws {
        let (status, output) = try ObservabilityTests.run(
            "hadolint", ["--no-color", "--failure-threshold", "info", "infra/docker/Dockerfile"],
            in: FunctionProcesses.root)
        #expect(status == 0, "\(output)")
    }
}
