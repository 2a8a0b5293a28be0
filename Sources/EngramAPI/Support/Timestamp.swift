import EngramCore
import Foundation

/// API timestamps: ISO-8601 in UTC with microseconds and an explicit offset, as mem0 writes them
/// (`2026-04-14T10:22:33.123456+00:00`).
enum Timestamp {
    static func format(_ date: Date) -> String { DateText.format(date) }

    /// Parses ISO-8601 with or without fractional seconds (`Z` or an offset); nil when malformed.
    static func parse(_ text: String) -> Date? { DateText.dateTime(text) }
}
