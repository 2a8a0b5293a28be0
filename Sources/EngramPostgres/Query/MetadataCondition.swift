import EngramCore
import Foundation

/// One comparison on a metadata key of a JSONB column, as a true/false SQL expression. The key is bound
/// as a parameter, so any key works, quotes and backslashes included. The JSON type is checked in every
/// comparison, so `true` never equals `1` and a string never compares with a number.
struct MetadataCondition {
    let column: String
    let key: String

    init(column: String, key: String) {
        self.column = column
        self.key = key
    }

    /// The key is present (a JSON null counts).
    func exists(into query: inout BoundQuery) -> String {
        "coalesce(\(column) ? \(query.bind(.text(key))), FALSE)"
    }

    func compile(_ op: FilterOperator, _ operand: JSONValue, into query: inout BoundQuery) -> String {
        switch op {
        case .eq: return equals(operand, into: &query)
        case .ne: return "NOT " + equals(operand, into: &query)
        case .gt, .gte, .lt, .lte:
            let comparison = op.sqlComparison
            switch operand {
            case .number(let number):
                // jsonb compares numbers as numeric; the type test keeps other types out.
                let (value, type) = valueAndType(into: &query)
                return "coalesce(\(type) = 'number' AND \(value) \(comparison) to_jsonb(\(query.bind(.numeric(number)))), FALSE)"
            case .string(let string):
                let (text, type) = textAndType(into: &query)
                return "coalesce(\(type) = 'string' AND \(text) COLLATE \"C\" \(comparison) \(query.bind(.text(string))), FALSE)"
            default: return "FALSE"
            }
        case .in: return isIn(operand, into: &query)
        case .nin: return "NOT " + isIn(operand, into: &query)
        case .contains:
            guard let string = operand.stringValue else { return "FALSE" }
            let (text, type) = textAndType(into: &query)
            return "coalesce(\(type) = 'string' AND strpos(\(text), \(query.bind(.text(string)))) > 0, FALSE)"
        case .icontains:
            guard let string = operand.stringValue else { return "FALSE" }
            let (text, type) = textAndType(into: &query)
            let needle = query.bind(.text(asciiLowercased(string)))
            return "coalesce(\(type) = 'string' AND strpos(\(asciiLowercasedSQL(text)), \(needle)) > 0, FALSE)"
        }
    }

    private func equals(_ operand: JSONValue, into query: inout BoundQuery) -> String {
        switch operand {
        case .null:
            let (value, type) = valueAndType(into: &query)
            return "(\(value) IS NULL OR \(type) = 'null')"
        case .bool(let flag):
            return "coalesce(\(column) -> \(query.bind(.text(key))) = '\(flag ? "true" : "false")'::jsonb, FALSE)"
        case .string(let string):
            return "coalesce(\(column) -> \(query.bind(.text(key))) = to_jsonb(\(query.bind(.text(string)))), FALSE)"
        case .number(let number):
            return "coalesce(\(column) -> \(query.bind(.text(key))) = to_jsonb(\(query.bind(.numeric(number)))), FALSE)"
        case .array, .object:
            return "FALSE"
        }
    }

    /// Equal (as JSON: strings exactly, numbers numerically, booleans) to any listed string, number or
    /// boolean; other list items never match.
    private func isIn(_ operand: JSONValue, into query: inout BoundQuery) -> String {
        guard case .array(let items) = operand else { return "FALSE" }
        let scalars = items.filter { item in
            switch item {
            case .string, .number, .bool: true
            default: false
            }
        }
        guard !scalars.isEmpty, let list = Self.jsonText(.array(scalars)) else { return "FALSE" }
        let value = "\(column) -> \(query.bind(.text(key)))"
        return "coalesce(\(value) = ANY(ARRAY(SELECT jsonb_array_elements(\(query.bind(.jsonb(list)))))), FALSE)"
    }

    /// The key's JSONB value and its `jsonb_typeof`, sharing one bound key.
    private func valueAndType(into query: inout BoundQuery) -> (value: String, type: String) {
        let placeholder = query.bind(.text(key))
        return ("(\(column) -> \(placeholder))", "jsonb_typeof(\(column) -> \(placeholder))")
    }

    /// The key's value as text (`->>`) and its `jsonb_typeof`, sharing one bound key.
    private func textAndType(into query: inout BoundQuery) -> (text: String, type: String) {
        let placeholder = query.bind(.text(key))
        return ("(\(column) ->> \(placeholder))", "jsonb_typeof(\(column) -> \(placeholder))")
    }

    /// The JSON text of a value.
    static func jsonText(_ value: JSONValue) -> String? {
        guard let data = try? JSONEncoder().encode(value) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
