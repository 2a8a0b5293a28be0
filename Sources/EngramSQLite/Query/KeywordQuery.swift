import EngramCore
import Foundation

/// Turns free text into an FTS5 MATCH expression that cannot be parsed as FTS syntax: the text is split
/// into runs of letters and digits, each run is quoted as a string, and the strings are joined by OR so
/// a memory matching some of the terms still ranks (BM25 favours those matching more).
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
    /// distinct terms are kept, in order of first appearance.
    static func matchExpression(for text: String, maxTerms: Int) -> String? {
        var terms = SearchTerms.words(in: text, maxTerms: maxTerms)
        // Words nearly every memory contains add little to BM25 but make it score most of the store;
        // they are dropped unless the query has nothing else.
        let informative = terms.filter { !stopWords.contains($0.lowercased()) }
        if !informative.isEmpty { terms = informative }
        guard !terms.isEmpty else { return nil }
        // FTS5 strings are quoted with `"`, doubled inside; terms hold only letters and digits, so this
        // is belt and braces.
        return terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " OR ")
    }
}
