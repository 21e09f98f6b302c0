import Hummingbird
import Logging

/// The whole `main` of a function: configuration from the environment, the app, graceful shutdown on SIGTERM.
public enum FunctionMain {
    public static func run(_ kind: FunctionKind, environment: [String: String]) async throws {
        var logger = Logger(label: "tinybug.\(kind.rawValue)")
        logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let config = try FunctionConfig(environment: environment)
        let orchestrator = try FunctionApp.orchestrator(config: config, logger: logger)
        let app = FunctionApp.build(kind, orchestrator: orchestrator, host: config.host, port: config.port, logger: logger)
        try await app.runService()
    }
}
