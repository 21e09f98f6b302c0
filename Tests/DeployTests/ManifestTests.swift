import Foundation
import FunctionRuntime
import Orchestration
import Testing
import Yams

/// The Kubernetes manifests, the container build and the gateway config name only things that exist.
struct ManifestTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let functions = FunctionKind.allCases.filter { $0 != .all }.map(\.rawValue)

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every document of every manifest in `infra/k8s`.
    static func documents() throws -> [[String: Any]] {
        let folder = root.appendingPathComponent("infra/k8s")
        var all: [[String: Any]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        where name.hasSuffix(".yaml") {
            for document in try Yams.load_all(yaml: try text("infra/k8s/\(name)")) {
                if let object = document as? [String: Any] { all.append(object) }
            }
        }
        return all
    }

    static func find(_ kind: String, _ name: String, in documents: [[String: Any]]) -> [String: Any]? {
        documents.first {
            $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name
        }
    }

    static func containers(_ workload: [String: Any]) -> [[String: Any]] {
        var spec = workload["spec"] as? [String: Any]
        if let job = (spec?["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any] { spec = job }
        let pod = (spec?["template"] as? [String: Any])?["spec"] as? [String: Any]
        return pod?["containers"] as? [[String: Any]] ?? []
    }

    @Test func `every function has a Deployment and a Service on the port its PORT names, probed on healthz`() throws {
        let documents = try Self.documents()
        for function in Self.functions {
            let deployment = try #require(
                Self.find("Deployment", function, in: documents), "no Deployment for \(function)")
            let service = try #require(Self.find("Service", function, in: documents), "no Service for \(function)")
            let container = try #require(Self.containers(deployment).first)
            #expect(container["command"] as? [String] == [function])
            #expect(
                FileManager.default.fileExists(
                    atPath: Self.root.appendingPathComponent("functions/\(function)/main.swift").path))
            let port = try #require((container["ports"] as? [[String: Any]])?.first?["containerPort"] as? Int)
            let env = container["env"] as? [[String: Any]] ?? []
            #expect(env.first { $0["name"] as? String == "PORT" }?["value"] as? String == String(port))
            for probe in ["readinessProbe", "livenessProbe"] {
                #expect(
                    ((container[probe] as? [String: Any])?["httpGet"] as? [String: Any])?["path"] as? String
                        == "/healthz")
            }
            let servicePorts = (service["spec"] as? [String: Any])?["ports"] as? [[String: Any]] ?? []
            #expect(servicePorts.first?["port"] as? Int == 8080)
        }
    }

    @Test func `every variable the manifests set is one the functions read, and every secret they use exists`() throws {
        let documents = try Self.documents()
        let config = try #require(Self.find("ConfigMap", "tinybug-config", in: documents))
        let keys = Set(((config["data"] as? [String: Any]) ?? [:]).keys)
        #expect(keys.isSubset(of: FunctionConfig.variables), "unknown: \(keys.subtracting(FunctionConfig.variables))")
        let workloads = documents.filter { ["Deployment", "CronJob"].contains($0["kind"] as? String) }
        for workload in workloads {
            for container in Self.containers(workload) {
                for entry in container["env"] as? [[String: Any]] ?? [] {
                    let name = try #require(entry["name"] as? String)
                    if container["command"] != nil && (container["command"] as? [String])?.first != "sh" {
                        #expect(FunctionConfig.variables.contains(name), "\(name) is not read by the functions")
                    }
                    if let reference = (entry["valueFrom"] as? [String: Any])?["secretKeyRef"] as? [String: Any] {
                        let secret = try #require(
                            Self.find("Secret", reference["name"] as? String ?? "", in: documents))
                        let data = secret["stringData"] as? [String: Any] ?? [:]
                        #expect(data[reference["key"] as? String ?? ""] != nil, "secret key \(reference) is missing")
                    }
                }
            }
        }
        #expect(
            Self.find("Secret", "tinybug-tenants", in: documents).flatMap {
                ($0["stringData"] as? [String: Any])?["tenants.json"]
            } != nil)
    }

    @Test func `the gateway's upstreams are the functions' Services and its config is the shipped one`() throws {
        let documents = try Self.documents()
        let config = try #require(Self.find("ConfigMap", "gateway-config", in: documents)?["data"] as? [String: String])
        #expect(
            config["nginx.conf"]?.trimmingCharacters(in: .whitespacesAndNewlines)
                == (try Self.text("infra/gateway/nginx.conf")).trimmingCharacters(in: .whitespacesAndNewlines))
        let upstreams = try #require(config["upstreams.conf"])
        for function in Self.functions {
            #expect(upstreams.contains("server \(function):8080;"), "no upstream for \(function)")
            #expect(Self.find("Service", function, in: documents) != nil)
        }
        for name in ["pull_request", "ci_completed", "timer_fired", "control"] {
            #expect(upstreams.contains("upstream \(name) {"))
            #expect(try Self.text("infra/gateway/upstreams.conf").contains("upstream \(name) {"))
        }
    }

    @Test func `the gateway routes every path of the contract`() throws {
        let nginx = try Self.text("infra/gateway/nginx.conf")
        for route in [
            "location = /webhooks/github", "location ~ ^/webhooks/github/", "location ~ ^/webhooks/buildkite/",
            "location = /timer", "location /api/v1/", "location = /healthz",
        ] {
            #expect(nginx.contains(route), "no route \(route)")
        }
        #expect(nginx.contains("pull_request pull_request;"))
        #expect(nginx.contains("workflow_run ci_completed;"))
        #expect(nginx.contains("client_max_body_size 25m;"))
        #expect(nginx.contains("X-Request-Id"))
        #expect(nginx.contains("escape=json"))
    }

    @Test func `a CronJob posts the timer every minute with the token from a Secret`() throws {
        let documents = try Self.documents()
        let cron = try #require(Self.find("CronJob", "timer", in: documents))
        #expect((cron["spec"] as? [String: Any])?["schedule"] as? String == "* * * * *")
        let container = try #require(Self.containers(cron).first)
        let command = ((container["args"] as? [String]) ?? []).joined(separator: " ")
        #expect(command.contains("-X POST"))
        #expect(command.contains("Authorization: Bearer $TINYBUG_TIMER_TOKEN"))
        #expect(command.contains("http://gateway:8080/timer"))
        #expect(Self.find("Service", "gateway", in: documents) != nil)
    }

    @Test func `the image is built in stages, runs as a non-root user and holds every function`() throws {
        let dockerfile = try Self.text("infra/docker/Dockerfile")
        #expect(dockerfile.split(separator: "\n").filter { $0.hasPrefix("FROM ") }.count == 2)
        #expect(dockerfile.contains("--static-swift-stdlib"))
        #expect(
            dockerfile.contains("apt-get install -y --no-install-recommends libcurl4 libssl3 libxml2 ca-certificates"))
        #expect(dockerfile.contains("USER 10001"))
        #expect(dockerfile.contains("check-binaries.sh"))
        let copied = try #require(
            dockerfile.components(separatedBy: "for binary in ").last?.components(separatedBy: ";").first)
        for function in Self.functions + ["tinybug"] {
            #expect(copied.contains(function), "\(function) is not copied into the image")
        }
        #expect(dockerfile.contains(#"CMD ["pull-request"]"#))
    }

    @Test
    func
        `the GitHub App manifest subscribes to exactly the events the functions route, with only the permissions used`()
        throws
    {
        let data = Data(try Self.text("infra/github-app/manifest.json").utf8)
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let events = try #require(manifest["default_events"] as? [String])
        #expect(Set(events) == FunctionKind.all.takenGitHubEvents)
        #expect(events.count == Set(events).count)
        let permissions = try #require(manifest["default_permissions"] as? [String: String])
        #expect(
            permissions == [
                "checks": "write", "actions": "write", "contents": "read", "pull_requests": "read", "metadata": "read",
            ])
        let hook = try #require(manifest["hook_attributes"] as? [String: Any])
        #expect((hook["url"] as? String)?.hasSuffix("/webhooks/github") == true)
        #expect(manifest["public"] as? Bool == false)
        // The gateway routes each of them to the function that takes it.
        let nginx = try Self.text("infra/gateway/nginx.conf")
        for event in events {
            let function = FunctionKind.allCases.first { $0 != .all && $0.takenGitHubEvents.contains(event) }
            let upstream = try #require(function).rawValue.replacingOccurrences(of: "-", with: "_")
            #expect(
                nginx.range(of: "\\b\(event) +\(upstream);", options: .regularExpression) != nil,
                "the gateway does not send \(event) to \(upstream)")
        }
    }
}
