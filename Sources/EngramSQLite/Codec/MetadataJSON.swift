import EngramCore
import Foundation

/// Metadata is stored as compact JSON text with sorted keys. Only `"`, `\` and control characters are
/// escaped, so a key free of those appears verbatim in the text, which is what SQLite's JSON path
/// labels compare against (see `FilterCompiler`).
enum MetadataJSON {
    /// The JSON text of a metadata object.
    static func string(from object: [String: JSONValue]) -> String {
        var text = ""
        write(.object(object), to: &text)
        return text
    }

    /// The metadata object of stored JSON text.
    static func object(from text: String) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
    }

    /// Whether `key` is written verbatim inside quotes (no character of it needs escaping).
    static func isVerbatim(_ key: String) -> Bool {
        !key.unicodeScalars.contains { $0 == "\"" || $0 == "\\" || $0.value < 0x20 }
    }

    private static func write(_ value: JSONValue, to text: inout String) {
        switch value {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .number(let number): text += format(number)
        case .string(let string): writeString(string, to: &text)
        case .array(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                write(item, to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                writeString(key, to: &text)
                text += ":"
                write(members[key]!, to: &text)
            }
            text += "}"
        }
    }

    /// Integral numbers print as integers; others in Swift's shortest round-trip form. Non-finite
    /// numbers cannot come from JSON and print as null.
    private static func format(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number.rounded() == number, abs(number) < 9.007_199_254_740_992e15 { return String(Int64(number)) }
        return "\(number)"
    }

    private static func writeString(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
