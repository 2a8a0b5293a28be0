/// Who said a memory, when its text says so the way transcripts do (`Caroline: I went to ...`), and
/// whether a query names that speaker.
enum SpeakerLabel {
    /// The most words of a label, and the most characters.
    static let maxWords = 3
    static let maxLength = 40

    /// The lowercased label before the first `: ` of `text`: one to three words that each start with
    /// an uppercase letter and hold only letters, digits, `'`, `.` and `-`; nil otherwise.
    static func of(_ text: String) -> String? {
        guard let colon = text.prefix(maxLength + 1).firstIndex(of: ":") else { return nil }
        let after = text.index(after: colon)
        guard after < text.endIndex, text[after] == " " else { return nil }
        let words = text[..<colon].split(separator: " ")
        guard (1...maxWords).contains(words.count) else { return nil }
        for word in words {
            guard let first = word.first, first.isUppercase,
                  word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "'" || $0 == "." || $0 == "-" })
            else { return nil }
        }
        return words.joined(separator: " ").lowercased()
    }

    /// The one label of `labels` that `query` names as whole words, nil when it names none or several.
    static func named(in query: String, among labels: Set<String>) -> String? {
        let words = query.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "'" || $0 == "." || $0 == "-") }
        // "Caroline's" names Caroline.
        let padded = " " + words.map { $0.hasSuffix("'s") ? String($0.dropLast(2)) : String($0) }.joined(separator: " ") + " "
        let named = labels.filter { padded.contains(" \($0) ") }
        return named.count == 1 ? named.first : nil
    }
}
