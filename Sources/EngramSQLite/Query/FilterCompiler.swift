import EngramCore
import GRDB

/// Compiles a `Filter` into a SQLite boolean expression with bound values (API.md "Filters").
///
/// Every condition compiles to an expression that is true or false, never NULL, so `NOT` means "none of
/// the children matches" even when a key is missing. Semantics:
/// - `eq`: equal value of the same JSON type (`true` never equals `1`); `eq null` matches a null or
///   missing key. `ne`/`nin` are the negation of `eq`/`in`, so a missing key matches them.
/// - `gt`/`gte`/`lt`/`lte`: numeric for metadata (non-numbers never match); text order for
///   `created_at`/`updated_at` (stored as fixed-width UTC ISO-8601).
/// - `in`: equal to any listed value. `contains`: case-sensitive substring of a string;
///   `icontains`: case-insensitive for ASCII letters (SQLite `LIKE`), `%` and `_` matched literally.
/// - `"*"` (exists): the key is present (a JSON null counts) or the column is not NULL.
/// Item fields address columns; other keys address metadata through `json_type`/`json_extract` with a
/// bound path `$."key"`, or through `json_each` for keys holding `"`, `\` or control characters, which
/// JSON path labels cannot spell.
struct FilterCompiler {
    /// The SQL expression of each addressable item field; absent fields are rejected.
    var columns: [MemoryField: String]
    /// The metadata column, or nil when metadata keys cannot be filtered (history).
    var metadataColumn: String?
    /// The categories column (a JSON array of lowercase names), or nil when categories cannot be filtered.
    var categoriesColumn: String? = nil

    /// The compiler for the `memories` table under alias `m`.
    static let memories = FilterCompiler(
        columns: Dictionary(uniqueKeysWithValues: MemoryField.allCases.map { ($0, "m.\($0.rawValue)") }),
        metadataColumn: "m.metadata",
        categoriesColumn: "m.categories"
    )

    /// The compiler for the `history` table under alias `h`: scope, actor, role and the event time.
    static let history = FilterCompiler(
        columns: [
            .userID: "h.user_id", .agentID: "h.agent_id", .runID: "h.run_id", .appID: "h.app_id", .actorID: "h.actor_id",
            .role: "h.role", .createdAt: "h.created_at",
        ],
        metadataColumn: nil
    )

    /// The boolean SQL expression of `filter`.
    func compile(_ filter: Filter) throws(MemoryError) -> SQLFragment {
        switch filter {
        case .and(let children):
            return SQLFragment.joined(try children.map { child throws(MemoryError) in try compile(child) }, separator: " AND ", empty: "1").parenthesised
        case .or(let children):
            return SQLFragment.joined(try children.map { child throws(MemoryError) in try compile(child) }, separator: " OR ", empty: "0").parenthesised
        case .not(let children):
            return SQLFragment("NOT ").appending("", try compile(.or(children)))
        case .exists(let key):
            switch try target(key) {
            case .column(let column): return SQLFragment("(\(column) IS NOT NULL)")
            case .metadata(let json): return json.type.wrapped("(", " IS NOT NULL)")
            }
        case .compare(let key, let op, let value):
            switch try target(key) {
            case .column(let column): return ColumnCondition(column: column).compile(op, value)
            case .metadata(let json): return json.compile(op, value)
            }
        case .categories(let names):
            guard let categoriesColumn else { throw .invalidFilter("'categories' cannot be filtered here") }
            let names = names.map { $0.lowercased() }
            guard !names.isEmpty else { return SQLFragment("0") }
            let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
            return SQLFragment(
                "EXISTS (SELECT 1 FROM json_each(coalesce(\(categoriesColumn), '[]')) AS c WHERE c.value IN (\(marks)))",
                names.map(\.databaseValue))
        }
    }

    /// Whether the compiled SQL has few possible shapes (at most four equalities on fields, joined by
    /// AND at any depth, as the API nests a scope inside a request's filter), so its statement may be
    /// kept in the connection's statement cache without growing it without bound.
    static func hasBoundedShape(_ filter: Filter) -> Bool {
        var equalities = 0
        func bounded(_ filter: Filter, depth: Int) -> Bool {
            switch filter {
            case .and(let children):
                return depth < 3 && children.allSatisfy { bounded($0, depth: depth + 1) }
            case .compare(.field, .eq, .string):
                equalities += 1
                return equalities <= 4
            default:
                return false
            }
        }
        return bounded(filter, depth: 0)
    }

    private enum Target {
        case column(String)
        case metadata(MetadataCondition)
    }

    private func target(_ key: FilterKey) throws(MemoryError) -> Target {
        switch key {
        case .field(let field):
            guard let column = columns[field] else { throw .invalidFilter("'\(field.rawValue)' cannot be filtered here") }
            return .column(column)
        case .metadata(let name):
            guard let metadataColumn else { throw .invalidFilter("Metadata key '\(name)' cannot be filtered here") }
            return .metadata(MetadataCondition(column: metadataColumn, key: name))
        }
    }
}

extension SQLFragment {
    /// The fragment inside parentheses.
    var parenthesised: SQLFragment { wrapped("(", ")") }

    /// The fragment between `prefix` and `suffix`.
    func wrapped(_ prefix: String, _ suffix: String) -> SQLFragment { SQLFragment(prefix + sql + suffix, arguments) }
}

extension JSONValue {
    /// The value bound to SQL: integral numbers as integers (exact beyond 2^53 is not needed, JSON
    /// numbers are doubles), others as they are; nil for arrays and objects.
    var databaseValue: DatabaseValue? {
        switch self {
        case .null: return .null
        case .bool(let flag): return flag.databaseValue
        case .number(let number):
            if number.rounded() == number, abs(number) < 9.007_199_254_740_992e15 { return Int64(number).databaseValue }
            return number.databaseValue
        case .string(let string): return string.databaseValue
        case .array, .object: return nil
        }
    }
}

/// `value` as a `LIKE` pattern matching it anywhere, with `\` as the escape character.
func likeSubstringPattern(_ value: String) -> String {
    var pattern = "%"
    for character in value {
        if character == "%" || character == "_" || character == "\\" { pattern.append("\\") }
        pattern.append(character)
    }
    return pattern + "%"
}
