import CLibPQ
import Foundation

/// The rows of one statement, read in Postgres's binary format. Owns its `PGresult` and frees it in
/// deinit; a result is read-only once made, so it may be read from any thread (libpq "Behavior in
/// Threaded Programs").
final class PostgresResult {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer) {
        self.handle = handle
    }

    deinit { PQclear(handle) }

    /// How many rows there are.
    var rowCount: Int { Int(PQntuples(handle)) }

    /// How many rows an INSERT, UPDATE or DELETE touched.
    var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    /// Whether the value at `row`, `column` is NULL.
    func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(handle, Int32(row), Int32(column)) == 1
    }

    /// The raw bytes of a value (empty for NULL).
    func bytes(_ row: Int, _ column: Int) -> UnsafeRawBufferPointer {
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        guard let start = PQgetvalue(handle, Int32(row), Int32(column)), length > 0 else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: UnsafeRawPointer(start), count: length)
    }

    /// A `text` value, or nil for NULL.
    func text(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : String(decoding: bytes(row, column), as: UTF8.self)
    }

    /// A `text` value that must not be NULL.
    func requiredText(_ row: Int, _ column: Int) throws -> String {
        guard let value = text(row, column) else { throw PostgresStoreError.malformedRow }
        return value
    }

    /// An `int8` value (also reads `int4`), or nil for NULL.
    func int64(_ row: Int, _ column: Int) throws -> Int64? {
        guard !isNull(row, column) else { return nil }
        let raw = bytes(row, column)
        switch raw.count {
        case 8: return Int64(bigEndian: raw.loadUnaligned(as: Int64.self))
        case 4: return Int64(Int32(bigEndian: raw.loadUnaligned(as: Int32.self)))
        default: throw PostgresStoreError.malformedRow
        }
    }

    /// The first column of every row, none of them null.
    func requiredTexts() throws -> [String] {
        try (0..<rowCount).map { try requiredText($0, 0) }
    }

    /// An integer that must not be NULL.
    func requiredInt(_ row: Int, _ column: Int) throws -> Int {
        guard let value = try int64(row, column) else { throw PostgresStoreError.malformedRow }
        return Int(value)
    }

    /// A `float8` value that must not be NULL (also reads `float4`).
    func double(_ row: Int, _ column: Int) throws -> Double {
        let raw = bytes(row, column)
        switch raw.count {
        case 8: return Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)))
        case 4: return Double(Float(bitPattern: UInt32(bigEndian: raw.loadUnaligned(as: UInt32.self))))
        default: throw PostgresStoreError.malformedRow
        }
    }

    /// A `bool` value that must not be NULL.
    func bool(_ row: Int, _ column: Int) throws -> Bool {
        let raw = bytes(row, column)
        guard raw.count == 1 else { throw PostgresStoreError.malformedRow }
        return raw[0] != 0
    }

    /// A `timestamptz` value, or nil for NULL.
    func date(_ row: Int, _ column: Int) throws -> Date? {
        try int64(row, column).map(PostgresTime.date(postgresMicros:))
    }

    /// A `timestamptz` value that must not be NULL.
    func requiredDate(_ row: Int, _ column: Int) throws -> Date {
        guard let value = try date(row, column) else { throw PostgresStoreError.malformedRow }
        return value
    }

    /// A `jsonb` value's JSON text (binary form: version byte 1, then the text), or nil for NULL.
    func jsonb(_ row: Int, _ column: Int) throws -> String? {
        guard !isNull(row, column) else { return nil }
        let raw = bytes(row, column)
        guard raw.count >= 1, raw[0] == 1 else { throw PostgresStoreError.malformedRow }
        return String(decoding: UnsafeRawBufferPointer(rebasing: raw.dropFirst()), as: UTF8.self)
    }

    /// A pgvector `vector` (binary form: int16 dimension, int16 unused, big-endian float4s); empty for NULL.
    func vector(_ row: Int, _ column: Int) throws -> [Float] {
        guard !isNull(row, column) else { return [] }
        let raw = bytes(row, column)
        guard raw.count >= 4 else { throw PostgresStoreError.malformedRow }
        let dimension = Int(UInt16(bigEndian: raw.loadUnaligned(as: UInt16.self)))
        guard raw.count == 4 + dimension * 4 else { throw PostgresStoreError.malformedRow }
        return (0..<dimension).map { index in
            Float(bitPattern: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4 + index * 4, as: UInt32.self)))
        }
    }
}

// Not Sendable: a result belongs to the call that made it.
@available(*, unavailable)
extension PostgresResult: Sendable {}
