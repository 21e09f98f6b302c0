import Engine
import Foundation
import FunctionRuntime
import Orchestration
import Simulators
import Testing
import Workflow

/// The S3 store behind a proxy that answers 500 and 503, drops connections before and after
/// SeaweedFS saw a write, and answers slowly: measurements still converge.
struct StoreFaultTests {
    @Test func `measurements converge while the S3 server fails, drops and stalls requests`() async throws {
        try await SeaweedServer.with { endpoint in
            let upstream = try #require(URL(string: endpoint.url)?.port)
            let proxy = try await FaultyProxy.start(upstreamPort: upstream, odds: .init(probability: 0.25))
            defer { Task { await proxy.stop() } }
            let prefix = "faults-\(UUID().uuidString.lowercased())"
            var proxied = endpoint
            proxied.url = "http://127.0.0.1:\(proxy.port)"
            let faulty = S3MeasurementTests.s3Store(proxied, prefix: prefix)
            let tenant = TenantQuotaTests.acme(limit: 3)
            var settings = tenant.settings
            settings.jobTimeoutSeconds = 5
            settings.maxAttempts = 6
            var acme = tenant
            acme.settings = settings
            try await Harness.run(
                tenants: [acme], jobDuration: .milliseconds(60), configure: { $0.pullNumber = 0 }, store: { faulty },
                effectLeaseSeconds: 2
            ) { harness in
                var workflows: [String] = []
                for number in 1...4 {
                    let reply = try await Convergence.deliver(
                        TenantQuotaTests.opened(number), event: "pull_request",
                        to: "\(harness.base)/webhooks/github/acme", secret: Harness.secret)
                    workflows.append(try #require(reply["workflow"] as? String))
                }
                try await Convergence.drained(harness.engine, tenant: "acme", workflows, timeout: .seconds(300)) {
                    _ = try? await harness.tick()
                }
                let tally = proxy.tally
                proxy.set(.init(probability: 0))
                let clean = Engine<Run>(
                    store: S3MeasurementTests.s3Store(endpoint, prefix: prefix), clock: SystemClock(),
                    logger: harness.engine.logger)
                try await Convergence.check(clean, tenant: "acme", workflows, simulator: harness.simulator)
                for fault in FaultyProxy.Fault.allCases {
                    #expect(tally[fault.rawValue, default: 0] > 0, "no \(fault.rawValue) in \(tally)")
                }
                print(
                    "store faults: \(tally.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))"
                )
            }
        }
    }
}
