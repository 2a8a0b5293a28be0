import Foundation

/// Times as Postgres keeps them: `timestamptz`, microseconds since 2000-01-01 00:00:00 UTC in the binary
/// protocol. Dates round to the microsecond, as the SQLite store does, so a time reads back equal.
enum PostgresTime {
    /// Seconds from the Unix epoch to the Postgres epoch (2000-01-01 UTC).
    private static let epochOffsetMicros: Int64 = 946_684_800 * 1_000_000

    /// Microseconds since the Postgres epoch.
    static func postgresMicros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) - epochOffsetMicros
    }

    /// The date of microseconds since the Postgres epoch.
    static func date(postgresMicros micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros + epochOffsetMicros) / 1_000_000)
    }

    /// The SQL text of a `timestamptz` expression in the form filters compare against, the SQLite store's
    /// stored form: `2026-04-14T10:22:33.123456+00:00` (fixed width, so text order is time order).
    static func canonicalText(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
    }
}
