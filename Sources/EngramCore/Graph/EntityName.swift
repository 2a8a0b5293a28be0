import Foundation

/// How entity names and relationship names are compared and stored.
public enum EntityName {
    /// Longest entity name accepted, in bytes (longer ones are dropped as malformed).
    public static let maxBytes = 200
    /// Longest relationship name, in bytes after normalising.
    public static let maxRelationshipBytes = 64
    /// The key of the scope's own user entity; "I", "me" and the user's id resolve to it.
    public static let selfKey = "user"
    /// Words that always mean the scope's user.
    static let selfWords: Set<String> = ["user", "i", "me", "my", "myself", "mine", "the user"]

    /// The comparison key of a name: compatibility-normalised (NFKC), case-folded, whitespace collapsed
    /// and trimmed, surrounding quotes and punctuation removed. Empty when nothing is left.
    public static func key(_ name: String) -> String {
        let folded = name.precomposedStringWithCompatibilityMapping.lowercased()
        let words = folded.split(whereSeparator: { $0.isWhitespace })
        let trimSet = CharacterSet.punctuationCharacters.union(.symbols).subtracting(CharacterSet(charactersIn: "+#&"))
        return words.joined(separator: " ").trimmingCharacters(in: trimSet.union(.whitespaces))
    }

    /// A usable entity name: trimmed, whitespace collapsed, at most `maxBytes`, without NUL or control
    /// characters, with something left to compare; nil otherwise.
    public static func clean(_ name: String) -> String? {
        let collapsed = name.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard !collapsed.isEmpty, collapsed.utf8.count <= maxBytes,
              !collapsed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
              !key(collapsed).isEmpty
        else { return nil }
        return collapsed
    }

    /// A relationship name in lower snake_case (`Lives In` → `lives_in`); nil when nothing is left or it
    /// is longer than `maxRelationshipBytes`.
    public static func relationship(_ name: String) -> String? {
        var result = ""
        var pendingUnderscore = false
        for character in name.precomposedStringWithCompatibilityMapping.lowercased() {
            if character.isLetter || character.isNumber {
                if pendingUnderscore, !result.isEmpty { result.append("_") }
                pendingUnderscore = false
                result.append(character)
            } else {
                pendingUnderscore = true
            }
        }
        guard !result.isEmpty, result.utf8.count <= maxRelationshipBytes else { return nil }
        return result
    }

    /// The key with diacritics removed and a possessive or plural-looking ending kept as is: the form the
    /// fuzzy match compares.
    static func folded(_ key: String) -> String {
        key.folding(options: [.diacriticInsensitive], locale: nil)
    }

    /// Whether two different keys name the same thing for sure enough to merge without a model: equal
    /// once diacritics are folded ("zoë" / "zoe"), or, for names of at least `fuzzyMinimumLength`
    /// characters with the same number of words and the same first and last word initials, a character
    /// trigram Jaccard similarity of at least `fuzzyMinimumSimilarity` (a typo such as "mellanie" for
    /// "melanie"). Short names never match fuzzily, so "jon" and "jan", "claire" and "clara" stay apart.
    public static func isSameName(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        let (left, right) = (folded(a), folded(b))
        if left == right { return true }
        let leftWords = left.split(separator: " ")
        let rightWords = right.split(separator: " ")
        guard left.count >= fuzzyMinimumLength, right.count >= fuzzyMinimumLength, leftWords.count == rightWords.count,
              leftWords.map(\.first) == rightWords.map(\.first)
        else { return false }
        return trigramSimilarity(left, right) >= fuzzyMinimumSimilarity
    }

    static let fuzzyMinimumLength = 7
    static let fuzzyMinimumSimilarity = 0.7

    /// Jaccard similarity of the padded character trigrams of two strings.
    static func trigramSimilarity(_ a: String, _ b: String) -> Double {
        func trigrams(_ text: String) -> Set<String> {
            let characters = Array("  " + text + " ")
            guard characters.count >= 3 else { return [] }
            return Set((0...(characters.count - 3)).map { String(characters[$0..<($0 + 3)]) })
        }
        let (left, right) = (trigrams(a), trigrams(b))
        let union = left.union(right).count
        return union == 0 ? 0 : Double(left.intersection(right).count) / Double(union)
    }
}
