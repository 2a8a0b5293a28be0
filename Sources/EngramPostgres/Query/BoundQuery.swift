/// SQL under construction with its parameters: `bind` appends a value and returns its `$n` placeholder,
/// so values never enter the SQL text.
struct BoundQuery {
    private(set) var parameters: [PostgresParameter] = []

    /// Adds a parameter and returns its placeholder.
    mutating func bind(_ parameter: PostgresParameter) -> String {
        parameters.append(parameter)
        return "$\(parameters.count)"
    }
}
