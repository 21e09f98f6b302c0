import Testing

/// Asks `probe` every `interval` until it gives a value, for at most `timeout`; nil when it never did.
/// The one way these tests wait for something that happens elsewhere (a server, a process, the CI).
func poll<Value>(
    every interval: Duration = .milliseconds(50), timeout: Duration = .seconds(60),
    _ probe: () async throws -> Value?
) async throws -> Value? {
    let start = ContinuousClock.now
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now - start < timeout else { return nil }
        try await Task.sleep(for: interval)
    }
}
