import EngramCore

/// Turns free text into a `to_tsquery` expression that cannot be read as tsquery syntax: the text is
/// split into runs of letters and digits (none of which is a tsquery operator, quote or colon), and the
/// runs are joined by `|`, so a memory matching some of the terms still ranks. The expression is bound
/// as a parameter, never spliced into SQL. Postgres's English configuration stems the terms and drops
/// its stop words, so a query of stop words alone matches nothing.
enum KeywordTerms {
    /// The tsquery text, or nil when the text holds no letters or digits. At most `maxTerms` distinct
    /// terms (case-insensitively) are kept, in order of first appearance.
    static func tsquery(for text: String, maxTerms: Int) -> String? {
        let terms = SearchTerms.words(in: text, maxTerms: maxTerms)
        return terms.isEmpty ? nil : terms.joined(separator: " | ")
    }
}
