import Engine
import Hashing
import Logging
import Orchestration
import Workflow

/// An orchestrator for tests that drive the router in process, with no GitHub to reach: effects
/// meet a closed port and wait for a retry.
enum InProcess {
    static let unreachable = Endpoints(github: "http://127.0.0.1:9", buildkite: "http://127.0.0.1:9")

    static func orchestrator(
        _ tenants: [Tenant], store: any DocumentStore, admin: Secret? = nil, timer: Secret? = nil,
        logger: Logger = Harness.quietLogger
    ) -> Orchestrator {
        Orchestrator(
            engine: Engine<Run>(store: store, clock: SystemClock(), logger: logger), tenants: Tenants(tenants),
            endpoints: unreachable, timerToken: timer, adminToken: admin, logger: logger)
    }
}
