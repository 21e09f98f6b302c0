import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A Tinybug binary running as its own process, with its port, CPU time and peak memory.
final class Served: @unchecked Sendable {
    // Touched by one benchmark task at a time.
    let process: Process
    let port: Int
    let log: URL

    init(process: Process, port: Int, log: URL) {
        self.process = process
        self.port = port
        self.log = log
    }

    /// Starts `binary` with `arguments` and `environment`, and waits for its "Serving" log line.
    static func start(_ binary: URL, arguments: [String] = [], environment: [String: String], folder: URL) async throws
        -> Served
    {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let log = folder.appendingPathComponent("\(binary.lastPathComponent)-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.environment = environment
        try process.run()
        for _ in 0..<2000 {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"port[=":]+(\d+)"#, options: .regularExpression), text.contains("Serving") {
                return Served(process: process, port: Int(text[range].filter(\.isNumber))!, log: log)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw BenchError(
            "\(binary.lastPathComponent) did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// User plus system CPU time so far, in milliseconds.
    var cpuMilliseconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks * 1000 / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Peak resident memory (VmHWM), in MB.
    var peakRSSMegabytes: Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return (Double(line.filter(\.isNumber)) ?? 0) / 1024
    }

    func stop() async {
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<500 where process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Latencies of one kind of event, and their percentiles.
struct Latencies {
    var milliseconds: [Double] = []

    mutating func add(_ duration: Duration) {
        milliseconds.append(Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    func percentile(_ p: Double) -> Double {
        guard !milliseconds.isEmpty else { return 0 }
        let sorted = milliseconds.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
}
