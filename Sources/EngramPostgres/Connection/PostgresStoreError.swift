import EngramCore

/// A Postgres failure that is not the store being unavailable (a constraint violated, a malformed row).
/// It carries the SQLSTATE and a fixed description: never SQL text, bound values or the server's
/// message (which may quote values).
public struct PostgresStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The five-character SQLSTATE, or empty for a row the store could not decode.
    public var sqlState: String
    /// What failed, without any data.
    public var summary: String

    /// An error with a SQLSTATE and a summary.
    public init(sqlState: String, summary: String) {
        self.sqlState = sqlState
        self.summary = summary
    }

    public var description: String { sqlState.isEmpty ? summary : "\(summary) (SQLSTATE \(sqlState))" }

    /// A row the store cannot decode.
    static let malformedRow = PostgresStoreError(sqlState: "", summary: "A stored row is malformed")

    /// The error to report for a statement that failed with `sqlState` (nil when libpq itself failed,
    /// as when the connection is lost).
    static func classify(sqlState: String?) -> any Error {
        guard let sqlState, sqlState.count == 5 else {
            return MemoryError.storeUnavailable("The connection to Postgres failed")
        }
        switch sqlState.prefix(2) {
        // Class 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown,
        // cannot connect now), 58 system error: the server cannot serve now; a retry later may work.
        case "08", "53", "57", "58":
            return MemoryError.storeUnavailable("Postgres cannot serve the request now (SQLSTATE \(sqlState))")
        case "23":
            return PostgresStoreError(sqlState: sqlState, summary: "A change conflicts with stored data")
        default:
            break
        }
        switch sqlState {
        // 22021 character_not_in_repertoire and 22P05 untranslatable_character: a NUL in text or JSON,
        // which Postgres cannot store.
        case "22021", "22P05":
            return MemoryError.invalid("Text must not contain NUL characters")
        case "3D000", "28000", "28P01":
            return MemoryError.storeUnavailable("Postgres refused the database or the credentials (SQLSTATE \(sqlState))")
        default:
            return PostgresStoreError(sqlState: sqlState, summary: "A database operation failed")
        }
    }
}
