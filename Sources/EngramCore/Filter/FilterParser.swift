/// Parses the JSON filter grammar of API.md into a `Filter`, rejecting unknown operators and values of
/// the wrong type with a message that names them.
///
/// ```json
/// {"user_id": "alice", "OR": [{"topic": "food"}, {"score": {"gte": 3, "lt": 5}}], "NOT": [{"tag": "*"}]}
/// ```
public enum FilterParser {
    /// Deepest nesting of AND/OR/NOT accepted, so a hostile filter cannot exhaust the stack.
    public static let maxDepth = 32
    /// Most conditions in one filter.
    public static let maxConditions = 512

    /// Parses a filter object.
    public static func parse(_ value: JSONValue) throws(MemoryError) -> Filter {
        var budget = maxConditions
        return try parseObject(value, depth: 0, budget: &budget)
    }

    private static func parseObject(_ value: JSONValue, depth: Int, budget: inout Int) throws(MemoryError) -> Filter {
        guard depth <= maxDepth else { throw .invalidFilter("Filters are nested deeper than \(maxDepth) levels") }
        guard case .object(let members) = value else {
            throw .invalidFilter("A filter must be a JSON object, got \(value.typeName)")
        }
        var parts: [Filter] = []
        for (key, member) in members.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "AND", "OR", "NOT":
                guard case .array(let items) = member else {
                    throw .invalidFilter("\(key) takes a list of filters, got \(member.typeName)")
                }
                var children: [Filter] = []
                for item in items {
                    children.append(try parseObject(item, depth: depth + 1, budget: &budget))
                }
                parts.append(key == "AND" ? .and(children) : key == "OR" ? .or(children) : .not(children))
            default:
                parts.append(contentsOf: try parseCondition(key: key, value: member, budget: &budget))
            }
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    private static func parseCondition(key: String, value: JSONValue, budget: inout Int) throws(MemoryError) -> [Filter] {
        guard !key.isEmpty else { throw .invalidFilter("A filter key must not be empty") }
        guard key.utf8.count <= 256 else { throw .invalidFilter("A filter key is longer than 256 bytes") }
        let filterKey: FilterKey = MemoryField(rawValue: key).flatMap { MemoryField.openSourceFields.contains($0) ? .field($0) : nil } ?? .metadata(key)
        budget -= 1
        guard budget >= 0 else { throw .invalidFilter("A filter has more than \(maxConditions) conditions") }
        switch value {
        case .string("*"):
            return [.exists(filterKey)]
        case .object(let operators):
            guard !operators.isEmpty else { throw .invalidFilter("No operator given for '\(key)'") }
            var conditions: [Filter] = []
            for (name, operand) in operators.sorted(by: { $0.key < $1.key }) {
                guard let op = FilterOperator(rawValue: name) else {
                    throw .invalidFilter("Unsupported filter operator '\(name)' on '\(key)'")
                }
                try check(op, operand, key: filterKey)
                conditions.append(.compare(filterKey, op, operand))
            }
            return conditions
        case .array:
            try check(.in, value, key: filterKey)
            return [.compare(filterKey, .in, value)]
        default:
            try check(.eq, value, key: filterKey)
            return [.compare(filterKey, .eq, value)]
        }
    }

    /// Checks that the operand suits the operator (and the field, for dates).
    private static func check(_ op: FilterOperator, _ operand: JSONValue, key: FilterKey) throws(MemoryError) {
        let isDate = key == .field(.createdAt) || key == .field(.updatedAt)
        switch op {
        case .eq, .ne:
            guard operand.isScalar else {
                throw .invalidFilter("Operator '\(op.rawValue)' on '\(key)' needs a string, number, boolean or null, got \(operand.typeName)")
            }
        case .gt, .gte, .lt, .lte:
            switch operand {
            case .number(let number) where number.isFinite && !isDate: break
            case .string where isDate: break
            default:
                throw .invalidFilter("Operator '\(op.rawValue)' on '\(key)' needs \(isDate ? "an ISO-8601 date string" : "a number"), got \(operand.typeName)")
            }
        case .in, .nin:
            guard case .array(let items) = operand, items.allSatisfy({ $0.isScalar && $0 != .null }) else {
                throw .invalidFilter("Operator '\(op.rawValue)' on '\(key)' needs a list of strings, numbers or booleans")
            }
            guard items.count <= 1000 else { throw .invalidFilter("Operator '\(op.rawValue)' on '\(key)' takes at most 1000 values") }
        case .contains, .icontains:
            guard case .string = operand else {
                throw .invalidFilter("Operator '\(op.rawValue)' on '\(key)' needs a string, got \(operand.typeName)")
            }
        }
    }
}
