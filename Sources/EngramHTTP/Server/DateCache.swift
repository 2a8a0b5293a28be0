import Glibc
import Synchronization

/// The IMF-fixdate for the `Date` header (RFC 9110 §5.6.7, §6.6.1), formatted once per second.
final class DateCache: Sendable {
    private let cached = Mutex<(second: Int, text: String)>((-1, ""))

    /// The current time as `Sun, 06 Nov 1994 08:49:37 GMT`.
    func current() -> String {
        var now = time(nil)
        let second = Int(now)
        return cached.withLock { cache in
            if cache.second == second { return cache.text }
            var parts = tm()
            gmtime_r(&now, &parts)
            let text = Self.format(parts)
            cache = (second, text)
            return text
        }
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ parts: tm) -> String {
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = days[Int(parts.tm_wday)]
        let month = months[Int(parts.tm_mon)]
        return "\(day), \(two(parts.tm_mday)) \(month) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
