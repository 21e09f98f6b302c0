import Engine
import Metrics
import Prometheus
import Workflow

/// A function's metrics, in its own Prometheus registry (served on `/metrics`), so nothing global
/// is touched and each app in a test process counts for itself.
public struct Telemetry: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
            .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// Webhooks, ticks and control calls, by type and by the status answered.
    public func event(_ type: String, status: Int) {
        Counter(
            label: "tinybug_events_total", dimensions: [("type", type), ("status", String(status))], factory: factory
        ).increment()
    }

    public func handled(route: String, duration: Duration) {
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        Metrics.Timer(label: "tinybug_handler_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(nanoseconds)
    }

    func store(_ operation: String, outcome: String) {
        Counter(
            label: "tinybug_store_operations_total", dimensions: [("operation", operation), ("outcome", outcome)],
            factory: factory
        )
        .increment()
    }

    func effect(_ kind: String, outcome: String) {
        Counter(label: "tinybug_effects_total", dimensions: [("kind", kind), ("outcome", outcome)], factory: factory)
            .increment()
    }

    /// When the timer last ticked, in seconds since 1970: the "timer not ticking" alert's series.
    func ticked(at seconds: Double) {
        Gauge(label: "tinybug_last_tick_timestamp_seconds", factory: factory).record(seconds)
    }

    /// A tenant's CI runs in flight (its held slots) and its workflows waiting in line for one, as
    /// the last tick counted them. Tenant ids come from the tenants file: a bounded set of labels.
    func jobs(tenant: String, inFlight: Int, queued: Int) {
        Gauge(label: "tinybug_jobs_in_flight", dimensions: [("tenant", tenant)], factory: factory).record(inFlight)
        Gauge(label: "tinybug_queued_workflows", dimensions: [("tenant", tenant)], factory: factory).record(queued)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}

extension Workflow.Effect {
    /// The effect's kind, for metrics.
    var kind: String {
        switch self {
        case .createCheckRun: "create_check_run"
        case .listFiles: "list_files"
        case .dispatch: "dispatch"
        case .cancel: "cancel"
        case .releaseSlot: "release_slot"
        case .inspect, .readResults: "inspect"
        case .poll: "poll"
        case .completeCheckRun: "complete_check_run"
        }
    }
}
