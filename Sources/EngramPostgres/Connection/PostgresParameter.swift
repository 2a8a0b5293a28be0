import Foundation

/// One value bound to a `$n` placeholder: its type, its bytes (nil for NULL) and whether the bytes are
/// Postgres's binary form or its text form. Values never enter SQL text.
///
/// Scalars travel in binary (no formatting or parsing on either side); arrays travel in text form,
/// whose quoting rules are simple. A vector's type has no fixed OID, so it is sent with type 0 and the
/// SQL must cast it (`$1::vector`), which lets the server infer the type.
struct PostgresParameter: Sendable, Equatable {
    /// The type OID, or 0 to let the server infer it from the SQL.
    var type: UInt32
    /// The value's bytes; nil is SQL NULL.
    var bytes: [UInt8]?
    /// Whether `bytes` is the binary form.
    var isBinary: Bool

    // Builtin type OIDs (pg_type.dat); stable across Postgres versions.
    static let boolType: UInt32 = 16
    static let int8Type: UInt32 = 20
    static let textType: UInt32 = 25
    static let float8Type: UInt32 = 701
    static let textArrayType: UInt32 = 1009
    static let timestamptzType: UInt32 = 1184
    static let numericType: UInt32 = 1700
    static let numericArrayType: UInt32 = 1231
    static let jsonbType: UInt32 = 3802

    /// Text (binary form: the UTF-8 bytes).
    static func text(_ value: String?) -> PostgresParameter {
        PostgresParameter(type: textType, bytes: value.map { Array($0.utf8) }, isBinary: true)
    }

    /// A 64-bit integer.
    static func int8(_ value: Int64?) -> PostgresParameter {
        PostgresParameter(type: int8Type, bytes: value.map(bigEndianBytes), isBinary: true)
    }

    /// An integer, as a 64-bit one.
    static func int8(_ value: Int) -> PostgresParameter { int8(Int64(value)) }

    /// A boolean.
    static func bool(_ value: Bool) -> PostgresParameter {
        PostgresParameter(type: boolType, bytes: [value ? 1 : 0], isBinary: true)
    }

    /// JSON text as `jsonb` (binary form: version byte 1, then the text).
    static func jsonb(_ json: String?) -> PostgresParameter {
        PostgresParameter(type: jsonbType, bytes: json.map { [1] + Array($0.utf8) }, isBinary: true)
    }

    /// A time as `timestamptz` (binary form: microseconds since 2000-01-01 UTC), rounded to the microsecond.
    static func timestamp(_ date: Date?) -> PostgresParameter {
        PostgresParameter(type: timestamptzType, bytes: date.map { bigEndianBytes(PostgresTime.postgresMicros($0)) }, isBinary: true)
    }

    /// A number as `numeric`, in text form so integers and decimals compare exactly.
    static func numeric(_ value: Double) -> PostgresParameter {
        PostgresParameter(type: numericType, bytes: Array(numericText(value).utf8), isBinary: false)
    }

    /// A list of strings as `text[]`.
    static func textArray(_ values: [String]) -> PostgresParameter {
        PostgresParameter(type: textArrayType, bytes: Array(arrayLiteral(values).utf8), isBinary: false)
    }

    /// A list of numbers as `numeric[]`.
    static func numericArray(_ values: [Double]) -> PostgresParameter {
        PostgresParameter(type: numericArrayType, bytes: Array(arrayLiteral(values.map(numericText)).utf8), isBinary: false)
    }

    /// A pgvector `vector` (binary form: dimension and an unused word as int16, then big-endian float4s).
    /// The SQL must cast the placeholder to `vector`.
    static func vector(_ values: [Float]) -> PostgresParameter {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + values.count * 4)
        let dimension = UInt16(clamping: values.count)
        bytes.append(UInt8(dimension >> 8))
        bytes.append(UInt8(dimension & 0xFF))
        bytes.append(contentsOf: [0, 0])
        for value in values {
            let bits = value.bitPattern
            bytes.append(contentsOf: [UInt8(bits >> 24), UInt8((bits >> 16) & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8(bits & 0xFF)])
        }
        return PostgresParameter(type: 0, bytes: bytes, isBinary: true)
    }

    private static func bigEndianBytes(_ value: Int64) -> [UInt8] {
        let bits = UInt64(bitPattern: value)
        return (0..<8).map { UInt8((bits >> (56 - 8 * UInt64($0))) & 0xFF) }
    }

    /// Integral numbers as integers, others in Swift's shortest round-trip form (`1e+300` is valid numeric).
    private static func numericText(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 9.007_199_254_740_992e15 { return String(Int64(value)) }
        return value.isFinite ? "\(value)" : "NaN"
    }

    /// A Postgres array literal with every element double-quoted (`"` and `\` escaped), so no element is
    /// read as NULL, a delimiter or a nested array.
    private static func arrayLiteral(_ values: [String]) -> String {
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            for character in value {
                if character == "\"" || character == "\\" { literal.append("\\") }
                literal.append(character)
            }
            literal += "\""
        }
        return literal + "}"
    }
}
