import EngramCore
import EngramHTTP
import Foundation

/// mem0's platform filter grammar (mem0-spec §5.3), parsed into the same `Filter` the stores compile:
///
/// - logic: `AND`, `OR` (lists), `NOT` (a list or one object); sibling keys are ANDed;
/// - scope ids `user_id`, `agent_id`, `app_id`, `run_id`: a string (equality), `"*"` (any non-null
///   value), or `{eq|ne|in}`;
/// - dates `created_at`, `updated_at` (`timestamp` is `created_at`): `{gt|gte|lt|lte|ne|in}` with an
///   ISO-8601 date-time or a day (a day compared with `lte`/`gt` covers the whole day);
/// - `categories`: a name, a list, `{in: [...]}` or `{contains: name}` (any of them, case-insensitive);
/// - `metadata`: `{"metadata": {"key": value | {eq|ne|contains|icontains|in|gt|gte|lt|lte}}}`;
/// - `text`, `keywords`: a string or `{contains|icontains}` (a substring of the memory);
/// - `memory_ids`: a list or `{in: [...]}`.
///
/// Anything else is a 400 naming the allowed keys, as the platform answers.
enum PlatformFilter {
    static let allowedKeys = [
        "AND", "OR", "NOT", "user_id", "agent_id", "app_id", "run_id", "created_at", "updated_at", "timestamp",
        "expiration_date", "text", "categories", "metadata", "keywords", "memory_ids",
    ]
    static let maxDepth = 8
    static let maxConditions = 256

    /// The filter of `value` (a JSON object); nil for an empty object.
    static func parse(_ value: JSONValue) throws -> Filter? {
        guard case .object(let object) = value else { throw invalid("filters must be a JSON object") }
        var budget = maxConditions
        let filter = try parseObject(object, depth: 0, budget: &budget)
        if case .and(let parts) = filter, parts.isEmpty { return nil }
        return filter
    }

    /// Whether `value` constrains at least one scope id outside a `NOT` (search and get-all need one).
    static func scopes(_ value: JSONValue) -> Bool {
        guard case .object(let object) = value else { return false }
        for (key, member) in object {
            if MemoryField(rawValue: key).map(MemoryField.scopeIDs.contains) == true, member != .null { return true }
            if key == "AND" || key == "OR", case .array(let items) = member {
                if key == "AND" ? items.contains(where: scopes) : (!items.isEmpty && items.allSatisfy(scopes)) { return true }
            }
        }
        return false
    }

    private static func parseObject(_ object: [String: JSONValue], depth: Int, budget: inout Int) throws -> Filter {
        guard depth < maxDepth else { throw invalid("filters are nested more than \(maxDepth) deep") }
        var parts: [Filter] = []
        for (key, member) in object.sorted(by: { $0.key < $1.key }) {
            budget -= 1
            guard budget >= 0 else { throw invalid("filters have more than \(maxConditions) conditions") }
            switch key {
            case "AND", "OR", "NOT":
                let items: [JSONValue]
                switch member {
                case .array(let list): items = list
                case .object where key == "NOT": items = [member]
                default: throw invalid("\(key) takes a list of filter objects")
                }
                var children: [Filter] = []
                for item in items {
                    guard case .object(let child) = item else { throw invalid("\(key) takes a list of filter objects") }
                    children.append(try parseObject(child, depth: depth + 1, budget: &budget))
                }
                parts.append(key == "AND" ? .and(children) : key == "OR" ? .or(children) : .not(children))
            case "user_id", "agent_id", "app_id", "run_id":
                parts.append(try scopeCondition(MemoryField(rawValue: key)!, member))
            case "created_at", "updated_at", "timestamp":
                parts.append(try dateCondition(key == "updated_at" ? .updatedAt : .createdAt, key, member))
            case "expiration_date":
                parts.append(try expirationCondition(member))
            case "categories":
                parts.append(try categoriesCondition(member))
            case "metadata":
                guard case .object(let conditions) = member else { throw invalid("metadata takes an object of key conditions") }
                for (name, condition) in conditions.sorted(by: { $0.key < $1.key }) {
                    parts.append(try metadataCondition(name, condition))
                }
            case "text", "keywords":
                parts.append(try textCondition(key, member))
            case "memory_ids":
                let list: JSONValue
                switch member {
                case .array: list = member
                case .object(let operators) where operators.count == 1 && operators["in"] != nil: list = operators["in"]!
                default: throw invalid("memory_ids takes a list of ids or {\"in\": [...]}")
                }
                guard case .array(let ids) = list, ids.count <= 1000, ids.allSatisfy({ $0.stringValue != nil }) else {
                    throw invalid("memory_ids takes at most 1000 string ids")
                }
                parts.append(.compare(.field(.id), .in, list))
            default:
                throw invalid("Top-level key must be a logical operator or an allowed field: [\(allowedKeys.joined(separator: ", "))]")
            }
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    private static func scopeCondition(_ field: MemoryField, _ value: JSONValue) throws -> Filter {
        switch value {
        case .string("*"):
            return .exists(.field(field))
        case .string(let id):
            return .compare(.field(field), .eq, .string(try Scope.normalisedID(id, name: field.rawValue)))
        case .object(let operators):
            guard !operators.isEmpty else { throw invalid("No operator given for '\(field.rawValue)'") }
            var conditions: [Filter] = []
            for (name, operand) in operators.sorted(by: { $0.key < $1.key }) {
                switch (name, operand) {
                case ("eq", .string(let id)): conditions.append(.compare(.field(field), .eq, .string(id)))
                case ("ne", .string(let id)): conditions.append(.compare(.field(field), .ne, .string(id)))
                case ("in", .array(let ids)) where ids.count <= 1000 && ids.allSatisfy({ $0.stringValue != nil }):
                    conditions.append(.compare(.field(field), .in, operand))
                case ("eq", _), ("ne", _), ("in", _):
                    throw invalid("Operator '\(name)' on '\(field.rawValue)' needs \(name == "in" ? "a list of strings" : "a string")")
                default:
                    throw invalid("Unsupported operator '\(name)' on '\(field.rawValue)'; use eq, ne, in or \"*\"")
                }
            }
            return conditions.count == 1 ? conditions[0] : .and(conditions)
        default:
            throw invalid("'\(field.rawValue)' takes a string, \"*\" or an operator object")
        }
    }

    private static func dateCondition(_ field: MemoryField, _ key: String, _ value: JSONValue) throws -> Filter {
        guard case .object(let operators) = value, !operators.isEmpty else {
            throw invalid("'\(key)' takes an object of operators: gt, gte, lt, lte, ne, in")
        }
        var conditions: [Filter] = []
        for (name, operand) in operators.sorted(by: { $0.key < $1.key }) {
            if name == "in" {
                guard case .array(let items) = operand, items.count <= 1000 else { throw invalid("'in' on '\(key)' takes a list of dates") }
                var alternatives: [Filter] = []
                for item in items {
                    let (start, end) = try dayRange(item, key)
                    alternatives.append(end.map { .and([.compare(.field(field), .gte, .string(start)), .compare(.field(field), .lt, .string($0))]) }
                        ?? .compare(.field(field), .eq, .string(start)))
                }
                conditions.append(.or(alternatives))
                continue
            }
            let (start, end) = try dayRange(operand, key)
            switch name {
            case "gte": conditions.append(.compare(.field(field), .gte, .string(start)))
            case "lt": conditions.append(.compare(.field(field), .lt, .string(start)))
            case "gt": conditions.append(.compare(.field(field), end == nil ? .gt : .gte, .string(end ?? start)))
            case "lte": conditions.append(.compare(.field(field), end == nil ? .lte : .lt, .string(end ?? start)))
            case "ne":
                conditions.append(end.map { .not([.and([.compare(.field(field), .gte, .string(start)), .compare(.field(field), .lt, .string($0))])]) }
                    ?? .compare(.field(field), .ne, .string(start)))
            default: throw invalid("Unsupported operator '\(name)' on '\(key)'; use gt, gte, lt, lte, ne or in")
            }
        }
        return conditions.count == 1 ? conditions[0] : .and(conditions)
    }

    /// A date operand as the stores' canonical timestamp text; for a bare day, also the next day's
    /// midnight (the day is the range between).
    private static func dayRange(_ value: JSONValue, _ key: String) throws -> (String, String?) {
        guard case .string(let text) = value, let date = DateText.parse(text) else {
            throw invalid("'\(key)' compares with ISO-8601 dates (YYYY-MM-DD or a date-time), got \(value.typeName)")
        }
        let isDay = DateText.dateTime(text.trimmingCharacters(in: .whitespaces)) == nil
        return (Timestamp.format(date), isDay ? Timestamp.format(date.addingTimeInterval(86_400)) : nil)
    }

    /// `expiration_date` is stored as `YYYY-MM-DD`, which orders as text.
    private static func expirationCondition(_ value: JSONValue) throws -> Filter {
        guard case .object(let operators) = value, !operators.isEmpty else {
            throw invalid("'expiration_date' takes an object of operators: gt, gte, lt, lte, ne")
        }
        var conditions: [Filter] = []
        for (name, operand) in operators.sorted(by: { $0.key < $1.key }) {
            guard let op = FilterOperator(rawValue: name), [.gt, .gte, .lt, .lte, .ne].contains(op),
                  case .string(let text) = operand, let date = DateText.parse(text) else {
                throw invalid("'expiration_date' takes gt, gte, lt, lte or ne with a date")
            }
            conditions.append(.compare(.field(.expirationDate), op, .string(String(Timestamp.format(date).prefix(10)))))
        }
        return conditions.count == 1 ? conditions[0] : .and(conditions)
    }

    private static func categoriesCondition(_ value: JSONValue) throws -> Filter {
        func names(_ list: JSONValue) throws -> [String] {
            switch list {
            case .string(let name): return [name]
            case .array(let items) where items.count <= 100 && items.allSatisfy({ $0.stringValue != nil }):
                return items.compactMap(\.stringValue)
            default: throw invalid("categories takes a name or a list of names")
            }
        }
        switch value {
        case .string, .array:
            return .categories(try names(value))
        case .object(let operators) where operators.count == 1:
            let (name, operand) = operators.first!
            guard name == "in" || name == "contains" else { throw invalid("Unsupported operator '\(name)' on 'categories'; use in or contains") }
            return .categories(try names(operand))
        default:
            throw invalid("categories takes a name, a list, {\"in\": [...]} or {\"contains\": name}")
        }
    }

    private static func metadataCondition(_ name: String, _ value: JSONValue) throws -> Filter {
        guard !name.isEmpty, name.utf8.count <= 256 else { throw invalid("A metadata key is 1 to 256 bytes") }
        switch value {
        case .object(let operators):
            guard !operators.isEmpty else { throw invalid("No operator given for metadata '\(name)'") }
            var conditions: [Filter] = []
            for (op, operand) in operators.sorted(by: { $0.key < $1.key }) {
                guard let filterOperator = FilterOperator(rawValue: op), filterOperator != .nin else {
                    throw invalid("Unsupported operator '\(op)' on metadata '\(name)'")
                }
                // The open-source parser checks operand types the same way.
                _ = filterOperator
                conditions.append(try FilterParser.parse(.object([name: .object([op: operand])])))
            }
            return conditions.count == 1 ? conditions[0] : .and(conditions)
        case .array:
            throw invalid("metadata '\(name)' takes a value or an operator object")
        default:
            return .compare(.metadata(name), .eq, value)
        }
    }

    private static func textCondition(_ key: String, _ value: JSONValue) throws -> Filter {
        switch value {
        case .string(let text):
            return .compare(.field(.text), .icontains, .string(text))
        case .object(let operators) where operators.count == 1:
            let (name, operand) = operators.first!
            guard name == "contains" || name == "icontains", case .string(let text) = operand else {
                throw invalid("'\(key)' takes a string or {\"contains\"|\"icontains\": string}")
            }
            return .compare(.field(.text), name == "contains" ? .contains : .icontains, .string(text))
        default:
            throw invalid("'\(key)' takes a string or {\"contains\"|\"icontains\": string}")
        }
    }

    static func invalid(_ message: String) -> HTTPError { HTTPError(.badRequest, message) }
}
