import Engine
import Foundation
import FoundationNetworking
import Logging
import Simulators
import Testing
import Workflow

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Production's shape under crashes: nginx in front of two processes per function, sharing a file
/// store, while function processes are killed with SIGKILL at random moments and at the fault
/// points, and restarted.
@Suite(.serialized) struct ChaosTests {
    /// The tenant: four mutants a workflow, `perRun` of them in each CI run.
    static func tenants(perRun: Int) -> String {
        """
        { "tenants": [ { "id": "acme",
            "github": { "installationId": 42, "webhookSecret": "env:ACME_GITHUB_SECRET", "token": "env:ACME_GITHUB_TOKEN" },
            "ci": { "provider": "github-actions", "workflow": "tinybug-mutant.yml", "ref": "main" },
            "limits": { "maxMutants": 4, "maxConcurrentJobs": 4, "jobTimeoutSeconds": 8, "maxAttempts": 8, "retryBaseSeconds": 1,
                        "mutantsPerRun": \(perRun) } } ] }
        """
    }
    static let functions = [
        ("pull-request", "pull_request"), ("ci-completed", "ci_completed"), ("timer-fired", "timer_fired"),
        ("control", "control"),
    ]
    static let faults = "after-store-write=0.02,after-effect-call=0.03,mid-file-write=0.01"

    @Test(arguments: [1, 3])
    func
        `killing function processes loses nothing: every workflow completes with its score and no run is dispatched twice`(
            mutantsPerRun: Int
        )
        async throws
    {
        let logger = Harness.quietLogger
        let simulator = GitHubSimulator(
            options: try Harness.simulatorOptions(pullNumber: 0, jobDuration: .milliseconds(100)))
        try await LoopbackServer.withRunning({ simulator.application(logger: logger, onServerRunning: $0) }) {
            githubPort in
            let processes = try FunctionProcesses()
            let tenantsPath = processes.folder.appendingPathComponent("tenants.json")
            try Self.tenants(perRun: mutantsPerRun).write(to: tenantsPath, atomically: true, encoding: .utf8)
            let storeRoot = processes.folder.appendingPathComponent("store").path
            let environment = [
                "TINYBUG_STORE": "file://\(storeRoot)", "TINYBUG_TENANTS": tenantsPath.path,
                "GITHUB_API_URL": "http://127.0.0.1:\(githubPort)", "BUILDKITE_API_URL": "http://127.0.0.1:9",
                "TINYBUG_TIMER_TOKEN": Harness.timerToken, "ACME_GITHUB_SECRET": Harness.secret,
                "ACME_GITHUB_TOKEN": Harness.token,
                "TINYBUG_EFFECT_LEASE_SECONDS": "2", "TINYBUG_FAULTS": Self.faults, "PATH": "/usr/bin:/bin",
            ]
            var slots: [(label: String, function: String, port: Int)] = []
            var upstreams: [String: [Int]] = [:]
            for (function, upstream) in Self.functions {
                for copy in 1...2 {
                    let port = try SeaweedServer.freePort()
                    slots.append(("\(function)-\(copy)", function, port))
                    upstreams[upstream, default: []].append(port)
                }
            }
            for slot in slots {
                try await processes.start(slot.function, as: slot.label, port: slot.port, environment: environment)
            }
            let gateway = try await Gateway.start(upstreams: upstreams, in: processes.folder)
            let base = "http://127.0.0.1:\(gateway.port)"
            await simulator.state.target(url: "\(base)/webhooks/github/acme", secret: Harness.secret)
            let monkey = ChaosMonkey(processes: processes, slots: slots, environment: environment)
            let chaos = Task { await monkey.run() }
            do {
                let engine = Engine<Run>(store: try FileStore(root: storeRoot), clock: SystemClock(), logger: logger)
                var workflows: [String] = []
                for number in 1...12 {
                    let reply = try await Convergence.deliver(
                        TenantQuotaTests.opened(number), event: "pull_request", to: "\(base)/webhooks/github/acme",
                        secret: Harness.secret)
                    workflows.append(try #require(reply["workflow"] as? String))
                }
                try await Convergence.drained(engine, tenant: "acme", workflows, timeout: .seconds(180)) {
                    _ = try? await GatewayTests.tick(base)
                }
                chaos.cancel()
                let kills = await chaos.value
                try await Convergence.check(engine, tenant: "acme", workflows, simulator: simulator)
                let logs = slots.map { processes.allLogs($0.label) }.joined(separator: "\n")
                var atPoints: [String: Int] = [:]
                for point in FaultPoint.allCases {
                    atPoints[point.rawValue] =
                        logs.components(separatedBy: "tinybug fault point \(point.rawValue)").count - 1
                }
                let faultDeaths = atPoints.values.reduce(0, +)
                #expect(kills > 0 && faultDeaths > 0, "SIGKILLs \(kills), deaths at fault points \(atPoints)")
                print(
                    "chaos (\(mutantsPerRun) a run): \(kills) SIGKILLs from outside, \(faultDeaths) deaths at fault points \(atPoints.sorted { $0.key < $1.key }); \(await simulator.state.runs.count) CI runs"
                )
            } catch {
                chaos.cancel()
                _ = await chaos.value
                await gateway.stop()
                await processes.stopAll()
                throw error
            }
            await gateway.stop()
            await processes.stopAll()
        }
    }
}

/// Kills a random function process every few hundred milliseconds and restarts every dead one,
/// whether it was killed from outside or died at a fault point. Returns how many it killed.
struct ChaosMonkey: @unchecked Sendable {
    let processes: FunctionProcesses
    let slots: [(label: String, function: String, port: Int)]
    let environment: [String: String]

    func run() async -> Int {
        var kills = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int.random(in: 300...900)))
            if Task.isCancelled { break }
            if let victim = slots.randomElement(), processes.isRunning(victim.label) {
                await processes.crash(victim.label)
                kills += 1
            }
            try? await Task.sleep(for: .milliseconds(Int.random(in: 50...250)))
            await restartTheDead()
        }
        await restartTheDead()
        return kills
    }

    /// A restarted process gets the same port, so nginx's upstreams stay as they are.
    private func restartTheDead() async {
        for slot in slots where !processes.isRunning(slot.label) {
            for _ in 0..<5 {
                if (try? await processes.start(slot.function, as: slot.label, port: slot.port, environment: environment))
                    != nil
                {
                    break
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
