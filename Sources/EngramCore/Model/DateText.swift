import Foundation

/// Dates as clients and models write them: an ISO-8601 date-time (with or without fractional seconds,
/// `Z` or an offset), or a day `YYYY-MM-DD` (midnight UTC).
public enum DateText {
    /// The date, or nil when the text is neither form.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = dateTime(trimmed) { return date }
        guard trimmed.utf8.count == 10 else { return nil }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        day.timeZone = TimeZone(identifier: "UTC")
        return day.date(from: trimmed)
    }

    /// An ISO-8601 date-time only.
    public static func dateTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
