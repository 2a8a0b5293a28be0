import Foundation

/// Finds the entities a text names, without a model (docs/internals/inference.md, "Graph extraction", lists the rules):
/// - runs of capitalised words ("Claire", "New York", "Bank of America"), with `of`, `the`, `de`, `van`,
///   `von`, `&` allowed between two of them; a sentence's first word only when it is not a common word
///   ("The", "My", "Yesterday", "Hey"); words in capitals of two letters or more ("LGBTQ", "NASA");
///   a trailing possessive dropped ("Claire's" → "Claire");
/// - titles in double quotes (at most eight words);
/// - after `in`, `at`, `to`, `from`, a name is a place (`at` after a work verb: an organisation);
/// - "I", "me", "my", "myself" and the text's speaker: the scope's user.
/// Words that are common words in lower case ("May", "Will", "June" as the first word) are not names
/// when they open a sentence; months and weekdays are never entities.
public enum EntitySpotter {
    /// Longest name span, in words.
    static let maxSpanWords = 6
    /// Most entities taken from one text.
    public static let maxEntities = 16

    /// One span found in a text.
    public struct Span: Sendable, Equatable {
        public var mention: EntityMention
        /// Word positions `[start, end)` in the text's word list.
        public var start: Int
        public var end: Int
    }

    /// A word of a text with what the rules need to know about it.
    struct Word {
        var text: String
        /// The word without a trailing possessive.
        var bare: String
        var lower: String
        var sentenceStart: Bool
        /// Followed by a sentence break or a comma (a name cannot continue past it).
        var breaksAfter: Bool
        var capitalised: Bool
        var allCaps: Bool
        var possessive: Bool
        /// Inside double quotes: part of a title, not a name of its own.
        var quoted: Bool
    }

    /// The entities of `text`, in order of first appearance, without repeats (at most `maxEntities`).
    public static func entities(in text: String) -> [EntityMention] {
        var seen: Set<String> = []
        var result: [EntityMention] = []
        for span in spans(in: text) where seen.insert(span.mention.key).inserted {
            result.append(span.mention)
            if result.count == maxEntities { break }
        }
        return result
    }

    /// Every span of `text`, with positions, in order.
    static func spans(in text: String) -> [Span] {
        let words = self.words(in: text)
        var spans: [Span] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if EntityName.selfWords.contains(word.lower) && word.lower != "user" {
                spans.append(Span(mention: EntityMention(name: "user", type: "person"), start: index, end: index + 1))
                index += 1
                continue
            }
            guard isNameWord(word) else {
                index += 1
                continue
            }
            var end = index + 1
            var last = index
            while end < words.count, end - index < maxSpanWords, !words[last].breaksAfter, !words[last].possessive {
                if isNameWord(words[end], inside: true) {
                    last = end
                    end += 1
                } else if connectors.contains(words[end].lower), end + 1 < words.count, !words[end].breaksAfter,
                          isNameWord(words[end + 1], inside: true) {
                    last = end + 1
                    end += 2
                } else {
                    break
                }
            }
            let name = (index...last).map { $0 == last ? words[$0].bare : words[$0].text }.joined(separator: " ")
            if let clean = EntityName.clean(name), !neverEntities.contains(clean.lowercased()) {
                spans.append(Span(mention: EntityMention(name: clean, type: type(before: index, in: words)), start: index, end: last + 1))
            }
            index = last + 1
        }
        spans.append(contentsOf: quotedTitles(in: text, after: words.count))
        return spans
    }

    /// Titles in double quotes, as spans placed after the words (they carry no position).
    private static func quotedTitles(in text: String, after count: Int) -> [Span] {
        var spans: [Span] = []
        var current: String?
        for character in text {
            if character == "\"" || character == "\u{201C}" || character == "\u{201D}" {
                if let title = current {
                    let words = title.split(whereSeparator: \.isWhitespace)
                    if (1...8).contains(words.count), let clean = EntityName.clean(title) {
                        spans.append(Span(mention: EntityMention(name: clean, type: "title"), start: count, end: count))
                    }
                    current = nil
                } else {
                    current = ""
                }
            } else {
                current?.append(character)
            }
        }
        return spans
    }

    /// The type a name gets from the word before it.
    private static func type(before index: Int, in words: [Word]) -> String {
        guard index > 0 else { return "entity" }
        let previous = words[index - 1].lower
        if ["in", "to", "from", "near", "visited", "visit", "visiting"].contains(previous) { return "place" }
        if previous == "at" {
            let verb = index > 1 ? words[index - 2].lower : ""
            return workVerbs.contains(verb) ? "organization" : "place"
        }
        if ["for", "with"].contains(previous), index > 1, workVerbs.contains(words[index - 2].lower) { return "organization" }
        return "entity"
    }

    /// Whether a word can be (part of) a name.
    private static func isNameWord(_ word: Word, inside: Bool = false) -> Bool {
        guard word.capitalised || word.allCaps, !word.quoted else { return false }
        if word.lower == "i" { return false }
        if neverEntities.contains(word.lower) { return false }
        if word.sentenceStart, !inside, commonWords.contains(word.lower) { return false }
        if !inside, commonCapitalised.contains(word.lower) { return false }
        return true
    }

    /// Splits text into words (letters, digits, apostrophes, hyphens, dots inside a word), noting sentence
    /// starts and breaks.
    static func words(in text: String) -> [Word] {
        var words: [Word] = []
        var current = ""
        var startNext = true
        var inQuotes = false
        func flush(breakAfter: Bool) {
            defer { current = "" }
            var token = current
            while let last = token.last, last == "." || last == "'" || last == "-" || last == "\u{2019}" { token.removeLast() }
            while let first = token.first, first == "'" || first == "-" || first == "\u{2019}" { token.removeFirst() }
            guard !token.isEmpty else {
                if breakAfter, !words.isEmpty { words[words.count - 1].breaksAfter = true }
                return
            }
            var bare = token
            var possessive = false
            for suffix in ["'s", "\u{2019}s"] where bare.hasSuffix(suffix) && bare.count > suffix.count {
                bare.removeLast(suffix.count)
                possessive = true
            }
            let letters = bare.filter(\.isLetter)
            let capitalised = bare.first.map { $0.isUppercase } ?? false
            let allCaps = letters.count >= 2 && letters.allSatisfy(\.isUppercase)
            words.append(Word(text: token, bare: bare, lower: bare.lowercased(), sentenceStart: startNext, breaksAfter: breakAfter,
                              capitalised: capitalised, allCaps: allCaps, possessive: possessive, quoted: inQuotes))
            startNext = false
        }
        let characters = Array(text)
        for (offset, character) in characters.enumerated() {
            if character.isLetter || character.isNumber || character == "'" || character == "\u{2019}" || character == "-" {
                current.append(character)
            } else if character == ".", !current.isEmpty, offset + 1 < characters.count, characters[offset + 1].isLetter {
                current.append(character)
            } else {
                let sentenceEnd = ".!?;:\n".contains(character)
                let pause = sentenceEnd || ",()[]\"\u{201C}\u{201D}".contains(character)
                flush(breakAfter: pause)
                if sentenceEnd { startNext = true }
                if character == "\"" { inQuotes.toggle() }
                if character == "\u{201C}" { inQuotes = true }
                if character == "\u{201D}" { inQuotes = false }
            }
        }
        flush(breakAfter: true)
        return words
    }

    static let connectors: Set<String> = ["of", "the", "de", "del", "da", "van", "von", "der", "la", "le", "&"]
    static let workVerbs: Set<String> = ["work", "works", "worked", "working", "job", "intern", "interning", "employed", "hired"]

    /// Never entities: months, weekdays and a few capitalised words that name no thing.
    static let neverEntities: Set<String> = [
        "january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december",
        "may", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "yesterday",
        "ok", "okay", "oh", "hey", "hi", "hello", "wow", "yes", "no", "yeah", "lol", "omg", "thanks", "thank", "please",
        "mr", "mrs", "ms", "dr", "am", "pm", "tv", "ps",
    ]
    /// Capitalised words that are no name even inside a sentence.
    static let commonCapitalised: Set<String> = ["i'm", "i've", "i'd", "i'll", "im", "ive"]

    /// Common words that open sentences (and chat filler); capitalised there, they are no name, and a
    /// span loses them at its ends.
    static let commonWords: Set<String> = Set("""
        a about above absolutely actually after again against agreed ah all also although always am amazing an and \
        another any anyone anything anytime anyway appreciate april are around as at august aw awesome aww back be \
        because been before being below besides best bet better between both btw but by bye can catch cheers congrats \
        congratulations cool could dear december definitely did do does doing don't done down dr during each either \
        enjoy especially even ever every everybody everyone everything exactly february feeling few finally first for \
        friday from further fyi generally getting glad going gonna good got gotta great guess ha had haha happy has \
        have having he he's hello her here here's hers herself hey hi him himself his hmm honestly hope how how's \
        however i i'd i'll i'm i've idk if imo in instead into is it it's its itself january july june just keep last \
        lately least less let let's like lol look looking lots love lovely making many march may maybe me might mine \
        monday more most mr mrs ms much must my myself never next nice no nobody none nope nor not nothing \
        november now october of off often oh ok okay omg on once one only oof or other our ours ourselves out over \
        own perhaps please plus pretty quite rather really recently right same saturday see seeing september she \
        she's should since so some somebody someday someone something sometimes soon sorry sounds speaking stay still \
        such sunday sure take talk talking tbh tell than thank thanks that that's the their theirs them themselves \
        then there there's these they they'd they'll they're they've thing things thinking this those though through \
        thurs thursday thus to today tomorrow tonight too totally trying tues tuesday um under until up upon us \
        usually very wanna was we we'd we'll we're we've wednesday weekend well were what what's whatever when where \
        whether which while who whoa whom whose why will wish with within without woah woohoo would wow wowza yay \
        yeah yep yes yesterday yet you you'd you'll you're you've your yours yourself yourselves yum yup
        """.split(whereSeparator: \.isWhitespace).map(String.init))
}
