import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Traces over OTLP/HTTP, off unless the standard variables name a collector
/// (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); the other `OTEL_*`
/// variables (service name, batch delay, sampler…) are read as the OpenTelemetry specification says.
public enum Traces {
    /// Whether the environment turns traces on.
    public static func enabled(_ environment: [String: String]) -> Bool {
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains {
            !(environment[$0] ?? "").isEmpty
        }
    }

    /// Bootstraps the process's tracer (W3C trace context in and out) and returns the service that
    /// exports spans, to run beside the app; nil when traces are off. Call once, from `main`.
    public static func bootstrap(service name: String, environment: [String: String], logger: Logger) throws
        -> (any Service)?
    {
        guard enabled(environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = name
        configuration.diagnosticLogger = .custom(logger)
        configuration.propagators = [.traceContext]
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.enabled = true
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }

    /// Puts the current span's trace and span ids in every log line (`trace_id`, `span_id`).
    public static var logMetadata: Logger.MetadataProvider {
        // The default keys are `trace_id`, `span_id` and `trace_flags`.
        OTel.makeLoggingMetadataProvider(configuration: .default)
    }
}
