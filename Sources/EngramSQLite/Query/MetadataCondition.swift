import EngramCore
import GRDB

/// One comparison on a metadata key, as a true/false SQL expression over the key's JSON type (`type`)
/// and SQL value (`value`). JSON `true`/`false` read as 1/0 through `json_extract`, so every comparison
/// checks the JSON type too.
struct MetadataCondition {
    /// `json_type` of the key: NULL when missing, else 'null', 'true', 'false', 'integer', 'real',
    /// 'text', 'array' or 'object'.
    let type: SQLFragment
    /// The key's value as SQL: NULL when missing or null, 1/0 for booleans, JSON text for containers.
    let value: SQLFragment

    init(column: String, key: String) {
        if MetadataJSON.isVerbatim(key) {
            // The label is compared with the key as written in the stored JSON, which is verbatim.
            let path = ("$.\"" + key + "\"").databaseValue
            type = SQLFragment("json_type(\(column), ?)", [path])
            value = SQLFragment("json_extract(\(column), ?)", [path])
        } else {
            let name = key.databaseValue
            type = SQLFragment("(SELECT je.type FROM json_each(\(column)) AS je WHERE je.key = ?)", [name])
            value = SQLFragment("(SELECT je.value FROM json_each(\(column)) AS je WHERE je.key = ?)", [name])
        }
    }

    func compile(_ op: FilterOperator, _ operand: JSONValue) -> SQLFragment {
        switch op {
        case .eq: return equals(operand)
        case .ne: return equals(operand).wrapped("NOT ", "")
        case .gt, .gte, .lt, .lte:
            let comparison = op.sqlComparison
            switch operand {
            case .number:
                return type.wrapped("coalesce(", " IN ('integer', 'real') AND ")
                    .appending("", value.wrapped("", " \(comparison) ?, 0)"))
                    .binding(operand)
            case .string:
                return type.wrapped("coalesce(", " IS 'text' AND ").appending("", value.wrapped("", " \(comparison) ?, 0)"))
                    .binding(operand)
            default: return SQLFragment("0")
            }
        case .in: return isIn(operand)
        case .nin: return isIn(operand).wrapped("NOT ", "")
        case .contains:
            guard case .string = operand else { return SQLFragment("0") }
            return type.wrapped("(", " IS 'text' AND ").appending("", value.wrapped("instr(", ", ?) > 0)")).binding(operand)
        case .icontains:
            guard let string = operand.stringValue else { return SQLFragment("0") }
            return type.wrapped("(", " IS 'text' AND ").appending("", value.wrapped("", " LIKE ? ESCAPE '\\')"))
                .binding(.string(likeSubstringPattern(string)))
        }
    }

    private func equals(_ operand: JSONValue) -> SQLFragment {
        switch operand {
        case .null: return value.wrapped("(", " IS NULL)")
        case .bool(let flag): return type.wrapped("(", flag ? " IS 'true')" : " IS 'false')")
        case .string: return type.wrapped("(", " IS 'text' AND ").appending("", value.wrapped("", " IS ?)")).binding(operand)
        case .number:
            return value.wrapped("(", " IS ? AND ").binding(operand)
                .appending("", type.wrapped("", " NOT IN ('true', 'false'))"))
        case .array, .object: return SQLFragment("0")
        }
    }

    private func isIn(_ operand: JSONValue) -> SQLFragment {
        guard case .array(let items) = operand else { return SQLFragment("0") }
        var parts: [SQLFragment] = []
        let strings = items.filter { $0.stringValue != nil }
        if !strings.isEmpty {
            parts.append(type.wrapped("(", " IS 'text' AND ").appending("", value.wrapped("", " IN (\(placeholders(strings.count))))"))
                .binding(strings))
        }
        let numbers = items.filter { $0.numberValue != nil }
        if !numbers.isEmpty {
            parts.append(type.wrapped("coalesce(", " IN ('integer', 'real') AND ")
                .appending("", value.wrapped("", " IN (\(placeholders(numbers.count))), 0)")).binding(numbers))
        }
        for flag in [true, false] where items.contains(.bool(flag)) {
            parts.append(equals(.bool(flag)))
        }
        return SQLFragment.joined(parts, separator: " OR ", empty: "0").parenthesised
    }

    private func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

extension SQLFragment {
    /// The fragment with `values` appended to its arguments (for placeholders at its end).
    func binding(_ values: JSONValue...) -> SQLFragment { binding(values) }

    /// The fragment with `values` appended to its arguments (for placeholders at its end).
    func binding(_ values: [JSONValue]) -> SQLFragment {
        SQLFragment(sql, arguments + values.compactMap(\.databaseValue))
    }
}
