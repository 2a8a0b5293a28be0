import EngramCore
import Foundation

/// API timestamps: ISO-8601 in UTC with microseconds and an explicit offset, as mem0 writes them
/// (`2026-04-14T10:22:33.123456+00:00`).
enum Timestamp {
    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let micros = Int(((interval - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 { seconds += 1 }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros % 1_000_000)
    }

    /// Parses ISO-8601 with or without fractional seconds (`Z` or an offset); nil when malformed.
    static func parse(_ text: String) -> Date? { DateText.dateTime(text) }
}
