import GRDB

/// A piece of SQL and the values bound to its `?` placeholders, in order. Values never enter the text.
struct SQLFragment: Hashable, Sendable {
    var sql: String
    var arguments: [DatabaseValue]

    init(_ sql: String, _ arguments: [DatabaseValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }

    /// The arguments for GRDB.
    var statementArguments: StatementArguments { StatementArguments(arguments) }

    /// `self` then `other`, joined by `separator`.
    func appending(_ separator: String, _ other: SQLFragment) -> SQLFragment {
        SQLFragment(sql + separator + other.sql, arguments + other.arguments)
    }

    /// The fragments joined by `separator`, or `empty` when there are none.
    static func joined(_ parts: [SQLFragment], separator: String, empty: String) -> SQLFragment {
        guard var result = parts.first else { return SQLFragment(empty) }
        for part in parts.dropFirst() { result = result.appending(separator, part) }
        return result
    }
}
