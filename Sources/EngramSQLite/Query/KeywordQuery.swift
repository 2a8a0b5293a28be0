import EngramCore
import Foundation

/// Turns free text into an FTS5 MATCH expression that cannot be parsed as FTS syntax: the text is split
/// into runs of letters and digits, each run is quoted as a string, and the strings are joined by OR so
/// a memory matching some of the terms still ranks (BM25 favours those matching more). The words are
/// looked up in the `text` column only; scope tokens (`ScopeTokens`), quoted too, are required in the
/// `scope` column after them, so the words' phrases come first and keep their numbers for ranking.
enum KeywordQuery {
    /// Very common English function words.
    static let stopWords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "if", "of", "at", "by", "for", "with", "about", "to", "from",
        "in", "on", "into", "onto", "over", "under", "up", "down", "out", "off", "then", "than", "so", "as",
        "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "has", "have", "had",
        "it", "its", "this", "that", "these", "those", "there", "here", "what", "which", "who", "whom",
        "when", "where", "why", "how", "i", "me", "my", "you", "your", "he", "him", "his", "she", "her",
        "we", "us", "our", "they", "them", "their", "not", "no", "can", "could", "would", "should", "will",
        "just", "very", "too", "also", "s", "t",
    ]

    /// The MATCH expression, or nil when the text holds no letters or digits. At most `maxTerms`
    /// distinct terms are kept, in order of first appearance; every one of `scopeTokens` is required.
    static func matchExpression(for text: String, maxTerms: Int, scopeTokens: [String] = []) -> String? {
        matchExpression(terms: terms(in: text, maxTerms: maxTerms), scopeTokens: scopeTokens)
    }

    /// The distinct words of `text` a search ranks on (at most `maxTerms`, in order of first
    /// appearance). Words nearly every memory contains add little to BM25 but make it score most of the
    /// store; they are dropped unless the query has nothing else.
    static func terms(in text: String, maxTerms: Int) -> [String] {
        let terms = SearchTerms.words(in: text, maxTerms: maxTerms)
        let informative = terms.filter { !stopWords.contains($0.lowercased()) }
        return informative.isEmpty ? terms : informative
    }

    /// Any of `terms` in the text, and every one of `scopeTokens`; nil without terms. With `required`
    /// (some of `terms`), one of those too: they are repeated in a second clause after `terms`, so the
    /// phrases of `terms` keep their numbers and come first.
    static func matchExpression(terms: [String], required: [String]? = nil, scopeTokens: [String] = []) -> String? {
        guard !terms.isEmpty else { return nil }
        var clauses = ["text : (" + terms.map(quoted).joined(separator: " OR ") + ")"]
        if let required, !required.isEmpty {
            clauses.append("text : (" + required.map(quoted).joined(separator: " OR ") + ")")
        }
        return (clauses + scopeTokens.map { "scope : " + quoted($0) }).joined(separator: " AND ")
    }

    /// The `limit` of `terms` the fewest memories hold (ties in query order), leaving out terms no
    /// memory holds, and keeping query order. A long query (a conversation, in inference) otherwise
    /// ranks every memory holding any of its common words: those cost the most to score and move the
    /// ranking least, since BM25 weighs a term by its rarity.
    static func rarest(_ terms: [KeywordPruning.Term], limit: Int) -> [KeywordPruning.Term] {
        terms.enumerated()
            .filter { $0.element.documents > 0 }
            .sorted { ($0.element.documents, $0.offset) < ($1.element.documents, $1.offset) }
            .prefix(max(limit, 0))
            .sorted { $0.offset < $1.offset }
            .map(\.element)
    }

    /// An FTS5 string: quoted with `"`, doubled inside. Terms and tokens hold only letters and digits,
    /// so the doubling is belt and braces.
    private static func quoted(_ term: String) -> String {
        "\"" + term.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
