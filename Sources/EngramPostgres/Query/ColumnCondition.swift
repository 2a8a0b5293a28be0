import EngramCore

/// One comparison on a text column (scope ids, actor, role, or a time in its text form), as a
/// true/false SQL expression. Columns hold strings, so numbers and booleans never match them.
struct ColumnCondition {
    /// The column expression, e.g. `m.user_id`.
    var column: String

    func compile(_ op: FilterOperator, _ value: JSONValue, into query: inout BoundQuery) -> String {
        switch op {
        case .eq: return equals(value, into: &query)
        case .ne: return "NOT " + equals(value, into: &query)
        case .gt, .gte, .lt, .lte:
            guard let string = value.stringValue else { return "FALSE" }
            return "coalesce(\(column) COLLATE \"C\" \(op.sqlComparison) \(query.bind(.text(string))), FALSE)"
        case .in: return isIn(value, into: &query)
        case .nin: return "NOT " + isIn(value, into: &query)
        case .contains:
            guard let string = value.stringValue else { return "FALSE" }
            return "coalesce(strpos(\(column), \(query.bind(.text(string)))) > 0, FALSE)"
        case .icontains:
            guard let string = value.stringValue else { return "FALSE" }
            let needle = query.bind(.text(asciiLowercased(string)))
            return "coalesce(strpos(\(asciiLowercasedSQL(column)), \(needle)) > 0, FALSE)"
        }
    }

    private func equals(_ value: JSONValue, into query: inout BoundQuery) -> String {
        switch value {
        case .null: return "(\(column) IS NULL)"
        // `= $n` keeps the column's index usable; `IS NOT NULL` turns the NULL of a missing value into false.
        case .string(let string): return "(\(column) = \(query.bind(.text(string))) AND \(column) IS NOT NULL)"
        default: return "FALSE"
        }
    }

    private func isIn(_ value: JSONValue, into query: inout BoundQuery) -> String {
        guard case .array(let items) = value else { return "FALSE" }
        let strings = items.compactMap(\.stringValue)
        guard !strings.isEmpty else { return "FALSE" }
        return "coalesce(\(column) = ANY(\(query.bind(.textArray(strings)))), FALSE)"
    }
}

extension FilterOperator {
    /// The SQL operator of an ordering comparison.
    var sqlComparison: String {
        switch self {
        case .gt: ">"
        case .gte: ">="
        case .lt: "<"
        case .lte: "<="
        default: "="
        }
    }
}
