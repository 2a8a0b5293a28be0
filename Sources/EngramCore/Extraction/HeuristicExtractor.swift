/// The extractor used when no LLM is configured: keeps the user's declarative first-person sentences
/// ("I moved to Lisbon last year.") and drops greetings, questions, requests and filler. It rewrites
/// nothing and infers nothing; it is a useful offline default, not a substitute for an LLM.
public enum HeuristicExtractor {
    /// Sentences shorter than this many words are filler ("ok thanks", "sounds good").
    static let minimumWords = 3
    /// Longest fact kept; longer sentences are usually pasted content, not facts.
    static let maximumCharacters = 500

    private static let firstPerson: Set<String> = [
        "i", "i'm", "im", "i've", "i'd", "i'll", "my", "me", "mine", "myself", "we", "we're", "our", "ours", "us",
    ]
    private static let questionStarts: Set<String> = [
        "what", "who", "whom", "whose", "where", "when", "why", "how", "which", "do", "does", "did", "can", "could",
        "would", "will", "is", "are", "am", "was", "were", "should", "shall", "may", "might", "have", "has",
    ]
    private static let requestStarts: Set<String> = [
        "please", "tell", "show", "give", "help", "write", "explain", "find", "list", "let's", "lets", "remind",
    ]
    private static let filler: Set<String> = [
        "hi", "hello", "hey", "thanks", "thank", "you", "ok", "okay", "bye", "goodbye", "good", "morning", "evening",
        "night", "lol", "sure", "yes", "no", "cool", "great", "nice", "awesome", "yeah", "yep", "nope", "hmm", "well",
        "so", "and", "oh", "ah", "alright", "fine", "see", "ya", "later", "cheers", "welcome", "sounds", "a", "lot",
    ]

    /// The facts worth keeping from `messages`: user messages, or the assistant's when the scope belongs
    /// to an agent alone. Deduplicated case-insensitively, in order.
    public static func facts(from messages: [Message], agentScope: Bool = false) -> [String] {
        let speakers: Set<String> = agentScope ? ["assistant"] : ["user"]
        var seen: Set<String> = []
        var facts: [String] = []
        for message in messages where speakers.contains(message.role.lowercased()) {
            for sentence in sentences(in: message.content) where isFact(sentence, agentScope: agentScope) {
                let key = sentence.lowercased()
                if seen.insert(key).inserted { facts.append(sentence) }
            }
        }
        return facts
    }

    /// Splits text into trimmed sentences at `.`, `!`, `?`, `;` and line breaks, keeping the terminator.
    static func sentences(in text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            if character.isNewline {
                flush(&current, into: &result)
                continue
            }
            current.append(character)
            if character == "." || character == "!" || character == "?" || character == ";" {
                flush(&current, into: &result)
            }
        }
        flush(&current, into: &result)
        return result
    }

    private static func flush(_ current: inout String, into result: inout [String]) {
        let trimmed = current.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty { result.append(trimmed) }
        current = ""
    }

    static func isFact(_ sentence: String, agentScope: Bool) -> Bool {
        guard sentence.count <= maximumCharacters, !sentence.hasSuffix("?") else { return false }
        let words = sentence.lowercased()
            .split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "'" })
            .map { String($0).replacingOccurrences(of: "\u{2019}", with: "'") }
        guard words.count >= minimumWords, let first = words.first else { return false }
        if questionStarts.contains(first) || requestStarts.contains(first) { return false }
        if words.allSatisfy(filler.contains) { return false }
        return agentScope || words.contains(where: firstPerson.contains)
    }
}

import Foundation
