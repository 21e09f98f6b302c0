import Hummingbird
import Logging
import ServiceLifecycle

/// Runs a Hummingbird application on a free loopback port for the length of `body`.
public enum LoopbackServer {
    public struct NotStarted: Error {}

    /// Builds the app with a callback that learns its port, runs it, calls `body` with the port,
    /// then shuts the app down gracefully and waits for it to stop.
    public static func withRunning<App: ApplicationProtocol & Service, T>(
        _ build: (@escaping @Sendable (Int) async -> Void) -> App, _ body: (Int) async throws -> T
    ) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = build { port in
            continuation.yield(port)
            continuation.finish()
        }
        var logger = Logger(label: "tinybug.loopback")
        logger.logLevel = .critical
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let server = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            await group.triggerGracefulShutdown()
            _ = await server.result
            throw NotStarted()
        }
        do {
            let result = try await body(port)
            await group.triggerGracefulShutdown()
            _ = await server.result
            return result
        } catch {
            await group.triggerGracefulShutdown()
            _ = await server.result
            throw error
        }
    }
}
