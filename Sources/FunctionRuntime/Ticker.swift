import Logging
import Orchestration
import ServiceLifecycle

/// The internal timer of `tinybug serve`: a tick every `interval` (the first one interval after
/// start), stopped by graceful shutdown.
public struct Ticker: Service {
    let orchestrator: Orchestrator
    let interval: Duration

    public init(orchestrator: Orchestrator, interval: Duration) {
        self.orchestrator = orchestrator
        self.interval = interval
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                _ = try? await orchestrator.tick()
            }
        }
    }
}
