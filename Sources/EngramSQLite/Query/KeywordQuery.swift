import Foundation

/// Turns free text into an FTS5 MATCH expression that cannot be parsed as FTS syntax: the text is split
/// into runs of letters and digits, each run is quoted as a string, and the strings are joined by OR so
/// a memory matching some of the terms still ranks (BM25 favours those matching more).
enum KeywordQuery {
    /// The MATCH expression, or nil when the text holds no letters or digits. At most `maxTerms`
    /// distinct terms are kept, in order of first appearance.
    static func matchExpression(for text: String, maxTerms: Int) -> String? {
        var terms: [String] = []
        var seen: Set<String> = []
        var current = ""
        func flush() {
            if !current.isEmpty, terms.count < maxTerms, seen.insert(current.lowercased()).inserted {
                terms.append(current)
            }
            current = ""
        }
        for character in text {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else {
                flush()
            }
        }
        flush()
        guard !terms.isEmpty else { return nil }
        // FTS5 strings are quoted with `"`, doubled inside; terms hold only letters and digits, so this
        // is belt and braces.
        return terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " OR ")
    }
}
