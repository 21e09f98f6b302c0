import ArgumentParser
import Foundation
import FunctionRuntime
import Hummingbird
import Logging
import Orchestration

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve every function in one process, with an internal ticker (configured from the environment).")

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        FunctionMain.bootstrapLogging(
            format: environment["LOG_FORMAT"] ?? "text",
            level: environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info)
        let logger = Logger(label: "tinybug")
        let config = try FunctionConfig(environment: environment)
        for warning in config.warnings {
            logger.warning("The configuration has a problem", metadata: ["problem": "\(warning)"])
        }
        FunctionMain.armFaults(config, logger: logger)
        let orchestrator = try FunctionApp.orchestrator(config: config, logger: logger)
        FunctionMain.reloadOnHangUp(orchestrator.tenantsSource)
        let ticker = Ticker(orchestrator: orchestrator, interval: .milliseconds(Int64(config.tickSeconds * 1000)))
        let app = FunctionApp.build(
            .all, orchestrator: orchestrator, host: config.host, port: config.port, logger: logger, services: [ticker],
            limits: config.limits
        ) { port in
            logger.notice("Serving", metadata: ["function": "serve", "port": "\(port)"])
        }
        try await app.runService()
    }
}
