import EngramCore
import GRDB

/// One comparison on a TEXT column (scope ids, actor, role, times), as a true/false SQL expression.
/// Columns hold strings, so numbers and booleans never match them.
struct ColumnCondition {
    /// The column expression, e.g. `m.user_id`.
    var column: String

    func compile(_ op: FilterOperator, _ value: JSONValue) -> SQLFragment {
        switch op {
        case .eq: return equals(value)
        case .ne: return equals(value).wrapped("NOT ", "")
        case .gt, .gte, .lt, .lte:
            guard let string = value.stringValue else { return SQLFragment("0") }
            return SQLFragment("coalesce(\(column) \(op.sqlComparison) ?, 0)", [string.databaseValue])
        case .in: return isIn(value)
        case .nin: return isIn(value).wrapped("NOT ", "")
        case .contains:
            guard let string = value.stringValue else { return SQLFragment("0") }
            return SQLFragment("coalesce(instr(\(column), ?) > 0, 0)", [string.databaseValue])
        case .icontains:
            guard let string = value.stringValue else { return SQLFragment("0") }
            return SQLFragment("coalesce(\(column) LIKE ? ESCAPE '\\', 0)", [likeSubstringPattern(string).databaseValue])
        }
    }

    private func equals(_ value: JSONValue) -> SQLFragment {
        switch value {
        case .null: SQLFragment("(\(column) IS NULL)")
        case .string(let string): SQLFragment("(\(column) IS ?)", [string.databaseValue])
        default: SQLFragment("0")
        }
    }

    private func isIn(_ value: JSONValue) -> SQLFragment {
        guard case .array(let items) = value else { return SQLFragment("0") }
        let strings = items.compactMap(\.stringValue)
        guard !strings.isEmpty else { return SQLFragment("0") }
        let placeholders = Array(repeating: "?", count: strings.count).joined(separator: ", ")
        return SQLFragment("coalesce(\(column) IN (\(placeholders)), 0)", strings.map(\.databaseValue))
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
