import Engine
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A process killed while it writes a FileStore document leaves the old version or the new one.
@Suite(.serialized) struct TornWriteTests {
    struct Version: Codable {
        var n: Int
        var padding: String
    }

    static let writer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/store-writer")

    @Test func `SIGKILL at random moments and mid-write never leaves a partial document`() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.writer.path), "run swift build first")
        let root = TemporaryFolder.make()
        let store = try FileStore(root: root)
        let key = StoreKey("tenants/torn/workflows/w.json")!
        var (midWriteDeaths, outsideKills, lastSeen) = (0, 0, 0)
        for round in 0..<24 {
            let (printed, diedAtFault) = try await Self.runWriter(
                root: root, faults: round.isMultiple(of: 2) ? "mid-file-write=0.15" : "")
            if diedAtFault { midWriteDeaths += 1 } else { outsideKills += 1 }
            let acknowledged = printed ?? lastSeen
            guard let stored = try await store.read(key) else {
                // Killed before its first write was stored: the old state, no document, is fine.
                #expect(acknowledged == 0, "round \(round): no document after wrote \(acknowledged)")
                continue
            }
            let version = try JSONDecoder().decode(Version.self, from: stored.data)
            #expect(
                version.n == acknowledged || version.n == acknowledged + 1,
                "round \(round): \(version.n) after wrote \(acknowledged)")
            #expect(version.n >= lastSeen)
            lastSeen = version.n
        }
        #expect(midWriteDeaths > 0 && outsideKills > 0, "mid-write: \(midWriteDeaths), outside: \(outsideKills)")
        print(
            "torn writes: \(midWriteDeaths) deaths at the mid-write fault point, \(outsideKills) SIGKILLs; \(lastSeen) versions"
        )
    }

    /// Runs the writer until it dies at a fault point or is killed; returns the last version it
    /// reported stored and whether it died at the fault point.
    static func runWriter(root: String, faults: String) async throws -> (Int?, Bool) {
        let process = Process()
        process.executableURL = writer
        process.arguments = [root]
        process.environment = ["TINYBUG_FAULTS": faults]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // With a fault point armed the writer is given time to reach it (a loaded machine may take
        // longer than the random kill to start it); without, it is killed at a random moment.
        let patience: Duration = faults.isEmpty ? .milliseconds(Int.random(in: 30...250)) : .seconds(20)
        let started = ContinuousClock.now
        while process.isRunning, ContinuousClock.now - started < patience {
            try await Task.sleep(for: .milliseconds(5))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL, "\(stderr)")
        let last = printed.split(separator: "\n").last.flatMap { Int($0.dropFirst("wrote ".count)) }
        return (last, stderr.contains("fault point mid-file-write"))
    }
}

struct FaultSpecTests {
    @Test func `a fault spec names points and probabilities, and anything else is refused with the reason`() throws {
        #expect(
            try Faults.parse("after-store-write=0.05, mid-file-write=1") == [.afterStoreWrite: 0.05, .midFileWrite: 1])
        #expect(try Faults.parse("").isEmpty)
        #expect(throws: Faults.SpecError.self) { try Faults.parse("after-store-write") }
        #expect(throws: Faults.SpecError.self) { try Faults.parse("after-store-write=2") }
        #expect(throws: Faults.SpecError.self) { try Faults.parse("before-lunch=0.1") }
    }
}
