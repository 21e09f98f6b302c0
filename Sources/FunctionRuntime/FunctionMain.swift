import Dispatch
import Engine
import Foundation
import Hummingbird
import Logging
import Orchestration

/// The whole `main` of a function: configuration from the environment, JSON logs, the app, and
/// graceful shutdown on SIGTERM (stop accepting, finish requests in flight, exit 0).
public enum FunctionMain {
    public static func run(_ kind: FunctionKind, environment: [String: String]) async throws {
        let level = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let tracing = Traces.enabled(environment)
        bootstrapLogging(
            format: environment["LOG_FORMAT"] ?? "json", level: level, metadata: tracing ? Traces.logMetadata : nil)
        let logger = Logger(label: "tinybug.\(kind.rawValue)")
        let exporter = try Traces.bootstrap(service: kind.rawValue, environment: environment, logger: logger)
        let config = try FunctionConfig(environment: environment)
        for warning in config.warnings {
            logger.warning("The configuration has a problem", metadata: ["problem": "\(warning)"])
        }
        armFaults(config, logger: logger)
        let orchestrator = try FunctionApp.orchestrator(config: config, logger: logger)
        reloadOnHangUp(orchestrator.tenantsSource)
        let app = FunctionApp.build(
            kind, orchestrator: orchestrator, host: config.host, port: config.port, logger: logger,
            services: exporter.map { [$0] } ?? [], limits: config.limits
        ) { port in
            logger.info("Serving", metadata: ["function": "\(kind.rawValue)", "port": "\(port)"])
        }
        try await app.runService()
    }

    /// Arms the fault points `TINYBUG_FAULTS` names, loudly: they are for fault-injection tests.
    public static func armFaults(_ config: FunctionConfig, logger: Logger) {
        Faults.arm(config.faults)
        guard !config.faults.isEmpty else { return }
        let points = config.faults.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: ",")
        logger.warning(
            "Fault points are armed: this process will kill itself on purpose", metadata: ["faults": "\(points)"])
    }

    /// Kept alive for the life of the process; set once, by `main`, before any request is served.
    nonisolated(unsafe) private static var hangUp: (any DispatchSourceSignal)?

    /// Re-reads the tenants file on SIGHUP, as daemons do.
    public static func reloadOnHangUp(_ tenants: TenantsSource) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { tenants.reload(because: "SIGHUP") }
        source.resume()
        hangUp = source
    }

    /// Logs as JSON lines (`LOG_FORMAT=json`, the default for functions) or as text, with what
    /// `metadata` adds to each line (the trace and span ids, when traces are on).
    public static func bootstrapLogging(
        format: String, level: Logger.Level, metadata: Logger.MetadataProvider? = nil
    ) {
        LoggingSystem.bootstrap(
            { label, provider in
                var handler: any LogHandler =
                    format == "json"
                    ? JSONLogHandler(label: label, metadataProvider: provider)
                    : StreamLogHandler.standardOutput(label: label, metadataProvider: provider)
                handler.logLevel = level
                return handler
            }, metadataProvider: metadata)
    }
}
