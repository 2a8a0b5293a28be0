import Foundation

/// The graph of a memory without a model: the entities `EntitySpotter` finds, a few high-precision
/// patterns that give typed relations, and a `related_to` link between every two entities named in the
/// same memory (all marked `origin: heuristic`):
/// - "my sister Claire" (a family, partner, friend or work role, then a name) → user `sister` Claire;
/// - "X lives in Y", "X moved to Y" → X `lives_in` Y (a place); "X works at Y", "X works for Y" → X
///   `works_at` Y (an organisation); X is a name or "I"/"we"/"my <role> <name>" just before the verb;
/// - "my name is X", "call me X" → X becomes another name of the user.
public enum GraphExtractor {
    /// Most `related_to` links drawn from one memory (between its first entities).
    static let maxCoOccurringEntities = 8

    /// The roles "my <role> <Name>" turns into a relationship from the user.
    static let roles: Set<String> = [
        "sister", "brother", "mother", "father", "mom", "mum", "dad", "wife", "husband", "partner", "boyfriend", "girlfriend",
        "fiance", "fiancé", "fiancee", "fiancée", "son", "daughter", "friend", "boss", "manager", "colleague", "coworker",
        "cousin", "aunt", "uncle", "niece", "nephew", "grandmother", "grandfather", "grandma", "grandpa", "roommate",
        "neighbor", "neighbour", "mentor", "teacher", "doctor", "therapist", "dog", "cat", "child", "kid", "stepmother",
        "stepfather", "stepson", "stepdaughter", "sibling", "twin",
    ]

    /// What a memory's text says in the graph, and the names the user gave themself.
    public struct Extraction: Sendable, Equatable {
        public var entities: [EntityMention]
        public var relations: [RelationStatement]
        /// Names the text says the user goes by ("my name is Ada").
        public var selfNames: [String]
        /// Who wrote the text, when known: "I" is them.
        public var speaker: EntityMention?
    }

    /// The speaker of a transcript line, "Name: text" (one or two capitalised words, then a colon and a
    /// space), and the text after it; nil when the text does not start so.
    public static func speakerPrefix(of text: String) -> (speaker: String, rest: String)? {
        guard let colon = text.firstIndex(of: ":"), text.distance(from: text.startIndex, to: colon) <= 60,
              text[text.index(after: colon)...].first == " "
        else { return nil }
        let words = text[..<colon].split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(words.count), words.allSatisfy({ word in
            guard let first = word.first, first.isUppercase else { return false }
            return word.allSatisfy { $0.isLetter || $0 == "'" || $0 == "-" || $0 == "\u{2019}" }
        }), !EntitySpotter.commonWords.contains(words[0].lowercased()) else { return nil }
        return (words.joined(separator: " "), String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
    }

    /// The heuristic graph of `text`. The speaker (the message's author, else a "Name: " prefix of the
    /// text) is who "I", "me" and "my" mean; without one they mean the scope's user.
    public static func extract(_ text: String, speaker: String? = nil) -> Extraction {
        var text = text
        var speakerName = speaker.flatMap(EntityName.clean)
        if let (prefixed, rest) = speakerPrefix(of: text) {
            speakerName = speakerName ?? prefixed
            text = rest
        }
        var extraction = extract(text)
        guard let speakerName else { return extraction }
        let speaker = EntityMention(name: speakerName, type: "person")
        guard !speaker.isSelf else { return extraction }
        func bySpeaker(_ mention: EntityMention) -> EntityMention { mention.isSelf ? speaker : mention }
        extraction.entities = [speaker] + extraction.entities.map(bySpeaker).filter { $0.key != speaker.key }
        extraction.relations = extraction.relations.compactMap { relation in
            var relation = relation
            relation.source = bySpeaker(relation.source)
            relation.target = bySpeaker(relation.target)
            return relation.source.key == relation.target.key ? nil : relation
        }
        extraction.speaker = speaker
        return extraction
    }

    /// The heuristic graph of a text without a speaker.
    private static func extract(_ text: String) -> Extraction {
        let words = EntitySpotter.words(in: text)
        let spans = EntitySpotter.spans(in: text)
        var relations: [RelationStatement] = []
        var selfNames: [String] = []
        func add(_ source: EntityMention, _ relationship: String, _ target: EntityMention) {
            guard source.key != target.key,
                  !relations.contains(where: { $0.source.key == source.key && $0.relationship == relationship && $0.target.key == target.key })
            else { return }
            relations.append(RelationStatement(
                source: source, relationship: relationship, target: target, fact: String(text.prefix(500)), origin: .heuristic))
        }
        let spanAt = Dictionary(spans.filter { $0.end > $0.start }.map { ($0.start, $0) }, uniquingKeysWith: { first, _ in first })
        let spanEndingAt = Dictionary(spans.filter { $0.end > $0.start }.map { ($0.end, $0) }, uniquingKeysWith: { first, _ in first })
        let user = EntityMention(name: "user", type: "person")
        var roleOf: [Int: EntityMention] = [:]

        for (index, word) in words.enumerated() {
            // "my sister Claire"
            if word.lower == "my", index + 2 < words.count, roles.contains(words[index + 1].lower), !words[index + 1].breaksAfter,
               var name = spanAt[index + 2]?.mention, !name.isSelf {
                if name.type == "entity" { name.type = ["dog", "cat"].contains(words[index + 1].lower) ? "animal" : "person" }
                add(user, words[index + 1].lower, name)
                roleOf[spanAt[index + 2]!.end] = name
            }
            // "my name is X", "call me X"
            if (word.lower == "name" && index > 0 && words[index - 1].lower == "my" && index + 1 < words.count && words[index + 1].lower == "is")
                || (word.lower == "call" && index + 1 < words.count && words[index + 1].lower == "me") {
                if let name = spanAt[index + 2]?.mention, !name.isSelf { selfNames.append(name.name) }
            }
        }
        for index in words.indices {
            guard let relationship = verbRelationship(words, at: index) else { continue }
            let objectStart = index + 2
            guard var object = spanAt[objectStart]?.mention, !object.isSelf else { continue }
            object.type = relationship == "works_at" ? "organization" : "place"
            let subject: EntityMention?
            if index > 0, ["i", "we", "i'm", "im", "we're", "i've", "we've"].contains(words[index - 1].lower) {
                subject = user
            } else if let named = roleOf[index] ?? spanEndingAt[index]?.mention {
                subject = named
            } else {
                subject = nil
            }
            if let subject { add(subject, relationship, object) }
        }

        let entities = EntitySpotter.entities(in: text)
        let linked = Array(entities.prefix(maxCoOccurringEntities))
        for (offset, first) in linked.enumerated() {
            for second in linked.dropFirst(offset + 1) {
                let typed = relations.contains {
                    Set([$0.source.key, $0.target.key]) == Set([first.key, second.key])
                }
                if !typed { add(first, GraphVocabulary.coOccurrence, second) }
            }
        }
        // The typed relations' entities carry the types the patterns gave them.
        var typedEntities = entities
        for relation in relations {
            for mention in [relation.source, relation.target] {
                if let position = typedEntities.firstIndex(where: { $0.key == mention.key }) {
                    if typedEntities[position].type == "entity" { typedEntities[position].type = mention.type }
                } else {
                    typedEntities.append(mention)
                }
            }
        }
        return Extraction(entities: typedEntities, relations: relations, selfNames: selfNames, speaker: nil)
    }

    /// The relationship of a verb phrase starting at `index` whose object follows the next word:
    /// "lives in", "live in", "moved to", "works at", "works for".
    private static func verbRelationship(_ words: [EntitySpotter.Word], at index: Int) -> String? {
        guard index + 1 < words.count else { return nil }
        let (verb, preposition) = (words[index].lower, words[index + 1].lower)
        switch (verb, preposition) {
        case ("live", "in"), ("lives", "in"), ("living", "in"), ("moved", "to"), ("move", "to"), ("moving", "to"),
             ("relocated", "to"):
            return "lives_in"
        case ("work", "at"), ("works", "at"), ("working", "at"), ("work", "for"), ("works", "for"), ("working", "for"):
            return "works_at"
        default:
            return nil
        }
    }
}
