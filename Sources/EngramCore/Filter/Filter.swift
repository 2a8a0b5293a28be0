/// A typed filter over memories: the whole grammar of API.md "Filters", parsed once and compiled by each
/// store into its own query language (nothing is filtered after the query).
public indirect enum Filter: Sendable, Equatable {
    /// Every filter matches (`AND`, and sibling keys). An empty list matches everything.
    case and([Filter])
    /// At least one filter matches (`OR`). An empty list matches nothing.
    case or([Filter])
    /// None of the filters matches (`NOT`, as mem0: NOT (f1 OR f2 …)).
    case not([Filter])
    /// A comparison of a key with a value.
    case compare(FilterKey, FilterOperator, JSONValue)
    /// The key is present (`"*"`).
    case exists(FilterKey)
    /// The memory has at least one of these categories (compared case-insensitively).
    case categories([String])

    /// Matches everything.
    public static let all = Filter.and([])
}

/// What a filter condition addresses: a memory field or a metadata key.
public enum FilterKey: Sendable, Hashable, CustomStringConvertible {
    case field(MemoryField)
    case metadata(String)

    public var description: String {
        switch self {
        case .field(let field): field.rawValue
        case .metadata(let key): key
        }
    }
}

/// Comparison operators of the filter grammar.
public enum FilterOperator: String, Sendable, CaseIterable {
    case eq, ne, gt, gte, lt, lte, `in`, nin, contains, icontains
}
