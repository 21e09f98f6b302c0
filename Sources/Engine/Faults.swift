import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A place where a process can be made to die on purpose, to show what survives a crash there.
public enum FaultPoint: String, CaseIterable, Sendable {
    /// A document was written; the effects it recorded have not run.
    case afterStoreWrite = "after-store-write"
    /// Effects ran (the CI was called); their results are not recorded yet.
    case afterEffectCall = "after-effect-call"
    /// Half of a file store document is in its temporary file.
    case midFileWrite = "mid-file-write"
}

/// Fault points, compiled in and disarmed unless `TINYBUG_FAULTS` names them, as
/// `point=probability,…` (for example `after-store-write=0.05,mid-file-write=0.02`). A point that
/// fires kills its own process with SIGKILL, as a crash or an out-of-memory kill would.
public enum Faults {
    private static let armed = Mutex<[FaultPoint: Double]>([:])

    /// Why a `TINYBUG_FAULTS` value was refused.
    public struct SpecError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Parses a `TINYBUG_FAULTS` value.
    public static func parse(_ spec: String) throws(SpecError) -> [FaultPoint: Double] {
        var points: [FaultPoint: Double] = [:]
        for item in spec.split(separator: ",") where !item.allSatisfy(\.isWhitespace) {
            let pair = item.split(separator: "=", maxSplits: 1).map(trimmed)
            guard let point = FaultPoint(rawValue: pair[0]) else {
                let known = FaultPoint.allCases.map(\.rawValue).joined(separator: ", ")
                throw SpecError(description: "unknown fault point \(pair[0]) (known: \(known))")
            }
            guard pair.count == 2, let probability = Double(pair[1]), (0...1).contains(probability) else {
                throw SpecError(description: "\(pair[0]) needs a probability from 0 to 1, as \(pair[0])=0.05")
            }
            points[point] = probability
        }
        return points
    }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// Arms the points (the empty set disarms them). Called once at start-up.
    public static func arm(_ points: [FaultPoint: Double]) { armed.withLock { $0 = points } }

    public static func isArmed(_ point: FaultPoint) -> Bool { armed.withLock { $0[point] } != nil }

    /// Dies here with the point's probability, saying so on standard error first.
    public static func hit(_ point: FaultPoint) {
        guard let probability = armed.withLock({ $0[point] }), Double.random(in: 0..<1) < probability else { return }
        let line = Array("tinybug fault point \(point.rawValue): killing the process\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        kill(getpid(), SIGKILL)
    }
}
