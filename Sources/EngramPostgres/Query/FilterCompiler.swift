import EngramCore

/// Compiles a `Filter` into a Postgres boolean expression with bound parameters (API.md "Filters"),
/// with the same meaning as the SQLite store's compiler, so both stores answer a filter alike.
///
/// Every condition compiles to an expression that is true or false, never NULL, so `NOT` means "none of
/// the children matches" even when a key is missing. Semantics:
/// - `eq`: equal value of the same JSON type (`true` never equals `1`); `eq null` matches a null or
///   missing key. `ne`/`nin` are the negation of `eq`/`in`, so a missing key matches them.
/// - `gt`/`gte`/`lt`/`lte`: numeric for metadata numbers, byte order (`COLLATE "C"`) for strings;
///   `created_at`/`updated_at` compare in their fixed-width UTC ISO-8601 text form.
/// - `in`: equal to any listed value. `contains`: case-sensitive substring of a string; `icontains`:
///   case-insensitive for ASCII letters only (as SQLite's `LIKE`).
/// - `"*"` (exists): the key is present (a JSON null counts) or the column is not NULL.
/// Item fields address columns; other keys address `metadata` (JSONB) with the key bound as a parameter.
struct FilterCompiler {
    /// The SQL expression of each addressable item field; absent fields are rejected.
    var columns: [MemoryField: String]
    /// The metadata column, or nil when metadata keys cannot be filtered (history).
    var metadataColumn: String?
    /// The categories column (a JSONB array of lowercase names), or nil when categories cannot be filtered.
    var categoriesColumn: String? = nil

    /// The compiler for the `memories` table under alias `m`.
    static let memories = FilterCompiler(
        columns: [
            .userID: "m.user_id", .agentID: "m.agent_id", .runID: "m.run_id", .actorID: "m.actor_id", .role: "m.role",
            .createdAt: PostgresTime.canonicalText("m.created_at"), .updatedAt: PostgresTime.canonicalText("m.updated_at"),
            .appID: "m.app_id", .text: "m.text", .id: "m.id", .expirationDate: "m.expiration_date",
        ],
        metadataColumn: "m.metadata",
        categoriesColumn: "m.categories"
    )

    /// The compiler for the `history` table under alias `h`: scope, actor, role and the event time.
    static let history = FilterCompiler(
        columns: [
            .userID: "h.user_id", .agentID: "h.agent_id", .runID: "h.run_id", .appID: "h.app_id", .actorID: "h.actor_id",
            .role: "h.role", .createdAt: PostgresTime.canonicalText("h.created_at"),
        ],
        metadataColumn: nil
    )

    /// The boolean SQL expression of `filter`, its values bound into `query`.
    func compile(_ filter: Filter, into query: inout BoundQuery) throws(MemoryError) -> String {
        switch filter {
        case .and(let children):
            return try join(children, separator: " AND ", empty: "TRUE", into: &query)
        case .or(let children):
            return try join(children, separator: " OR ", empty: "FALSE", into: &query)
        case .not(let children):
            return "NOT " + (try join(children, separator: " OR ", empty: "FALSE", into: &query))
        case .exists(let key):
            switch try target(key) {
            case .column(let column): return "(\(column) IS NOT NULL)"
            case .metadata(let condition): return condition.exists(into: &query)
            }
        case .compare(let key, let op, let value):
            switch try target(key) {
            case .column(let column): return ColumnCondition(column: column).compile(op, value, into: &query)
            case .metadata(let condition): return condition.compile(op, value, into: &query)
            }
        case .categories(let names):
            guard let categoriesColumn else { throw .invalidFilter("'categories' cannot be filtered here") }
            return "(coalesce(\(categoriesColumn), '[]'::jsonb) ?| \(query.bind(.textArray(names.map { $0.lowercased() }))))"
        }
    }

    private func join(_ children: [Filter], separator: String, empty: String, into query: inout BoundQuery) throws(MemoryError) -> String {
        guard !children.isEmpty else { return empty }
        var parts: [String] = []
        for child in children { parts.append(try compile(child, into: &query)) }
        return "(" + parts.joined(separator: separator) + ")"
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

/// ASCII letters folded to lower case and nothing else, as SQLite's `LIKE` folds them.
func asciiLowercased(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar
    }))
}

/// The SQL folding ASCII upper-case letters of `expression` to lower case (locale-independent, unlike `lower`).
func asciiLowercasedSQL(_ expression: String) -> String {
    "translate(\(expression), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
}
