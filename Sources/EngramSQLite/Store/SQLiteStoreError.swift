import EngramCore
import GRDB

/// A SQLite failure that is not the store being unavailable (a constraint violated, a malformed row).
/// It carries the SQLite result code and a fixed description: never SQL text or bound values.
public struct SQLiteStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The extended SQLite result code, or 0 for a row the store could not decode.
    public var code: Int32
    /// What failed, without any data.
    public var description: String

    /// An error with a code and a description.
    public init(code: Int32, description: String) {
        self.code = code
        self.description = description
    }

    /// Runs `body`, translating GRDB errors: unreachable-database codes become
    /// `MemoryError.storeUnavailable`, others `SQLiteStoreError`; `MemoryError`s pass through.
    static func translating<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw translate(error)
        }
    }

    /// The error to report for a GRDB error.
    static func translate(_ error: DatabaseError) -> any Error {
        switch error.resultCode.primaryResultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return MemoryError.storeUnavailable("The database is locked by another connection")
        case .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_NOTADB,
            .SQLITE_CORRUPT, .SQLITE_PROTOCOL:
            return MemoryError.storeUnavailable("The database file cannot be used (SQLite code \(error.extendedResultCode.rawValue))")
        case .SQLITE_CONSTRAINT:
            return SQLiteStoreError(code: error.extendedResultCode.rawValue, description: "A change conflicts with stored data")
        default:
            return SQLiteStoreError(code: error.extendedResultCode.rawValue, description: "A database operation failed")
        }
    }
}
