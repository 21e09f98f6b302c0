import Synchronization
import Workflow

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the engine gets the time. Tests use `ManualClock`; everything else `SystemClock`.
public protocol WallClock: Sendable {
    func now() -> Instant
}

/// The machine's clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Instant { Instant(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) }
}

/// A clock that moves only when told: the one test double the project uses.
public final class ManualClock: WallClock {
    private let current: Mutex<Instant>

    public init(_ start: Instant = .seconds(1_767_225_600)) { current = Mutex(start) }

    public func now() -> Instant { current.withLock { $0 } }

    public func advance(seconds: Int64) { current.withLock { $0 = $0.adding(seconds: seconds) } }
}

/// UTC calendar arithmetic for timer buckets and readable times, without a formatter.
public enum UTC {
    /// `yyyyMMddHHmm` of the minute holding `instant`.
    public static func bucket(_ instant: Instant) -> String {
        let (year, month, day, hour, minute, _) = fields(instant)
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + pad(hour, 2) + pad(minute, 2)
    }

    /// ISO 8601 with milliseconds, `2026-11-25T08:00:00.123Z`.
    public static func iso8601(_ instant: Instant) -> String {
        let (year, month, day, hour, minute, second) = fields(instant)
        let millis = Int(((instant.milliseconds % 1000) + 1000) % 1000)
        return
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millis, 3))Z"
    }

    private static func fields(_ instant: Instant) -> (Int, Int, Int, Int, Int, Int) {
        let seconds = Int(instant.milliseconds >= 0 ? instant.milliseconds / 1000 : (instant.milliseconds - 999) / 1000)
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
