/// The words of a keyword query, for stores to turn into their own full-text syntax.
public enum SearchTerms {
    /// The runs of letters and digits of `text` (nothing else, so no store's query operators or quotes
    /// survive), at most `maxTerms` distinct ones compared case-insensitively, in order of first
    /// appearance.
    public static func words(in text: String, maxTerms: Int) -> [String] {
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
        return terms
    }
}
