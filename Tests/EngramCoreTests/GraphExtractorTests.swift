import EngramCore
import Testing

/// The heuristic graph: what the spotter and the patterns must find, and must not.
@Suite struct GraphExtractorTests {
    static func names(_ text: String) -> [String] { EntitySpotter.entities(in: text).map(\.name) }

    static func triples(_ text: String, speaker: String? = nil) -> [String] {
        GraphExtractor.extract(text, speaker: speaker).relations.map { "\($0.source.key) \($0.relationship) \($0.target.key)" }.sorted()
    }

    @Test("entity spans found in sentences", arguments: [
        ("Claire and I went to New York last May.", ["Claire", "user", "New York"]),
        ("We had lunch at the Bank of America tower.", ["Bank of America"]),
        ("Yesterday Tom called from Berlin.", ["Tom", "Berlin"]),
        ("The book \"Charlotte's Web\" made me cry.", ["user", "Charlotte's Web"]),
        ("I joined the LGBTQ support group.", ["user", "LGBTQ"]),
        ("Melanie's kids love the beach.", ["Melanie"]),
        ("Hey Mel! Good to see you!", ["Mel"]),
    ])
    func spans(text: String, expected: [String]) {
        #expect(Self.names(text) == expected)
    }

    @Test("common words, months, weekdays and sentence openers are not entities", arguments: [
        "The weather is nice.", "My day was long.", "Yesterday was fun.", "Thanks so much!", "Wow, that sounds great.",
        "On Monday in January it rained.", "Maybe later.", "It is what it is.", "Absolutely, let's do it.",
    ])
    func noEntities(text: String) {
        #expect(Self.names(text).filter { $0 != "user" } == [], "\(Self.names(text))")
    }

    @Test("typed patterns", arguments: [
        ("My sister Claire lives in Lyon.", ["claire lives_in lyon", "user sister claire"]),
        ("I moved to Lisbon in 2021.", ["user lives_in lisbon"]),
        ("Tom works at Acme Corp.", ["tom works_at acme corp"]),
        ("I'm working for Globex now.", ["user works_at globex"]),
        ("My brother Paul moved to Berlin.", ["paul lives_in berlin", "user brother paul"]),
    ])
    func patterns(text: String, expected: [String]) {
        #expect(Self.triples(text).filter { !$0.contains("related_to") } == expected)
    }

    @Test("entities of one memory are linked by related_to, typed pairs excepted")
    func coOccurrence() {
        #expect(Self.triples("Claire visited Lisbon with Tom.") == [
            "claire related_to lisbon", "claire related_to tom", "lisbon related_to tom",
        ])
        #expect(Self.triples("My sister Claire lives in Lyon.").contains("user related_to lyon"))
    }

    @Test("a speaker prefix or author is who I means, and is an entity of the memory")
    func speakers() throws {
        let prefixed = GraphExtractor.extract("Caroline: I moved to Sweden with my friend Ana.")
        #expect(prefixed.speaker?.name == "Caroline")
        #expect(prefixed.entities.map(\.name).contains("Caroline"))
        #expect(!prefixed.entities.contains { $0.isSelf })
        #expect(prefixed.relations.contains { $0.source.key == "caroline" && $0.relationship == "lives_in" && $0.target.key == "sweden" })
        #expect(prefixed.relations.contains { $0.source.key == "caroline" && $0.relationship == "friend" && $0.target.key == "ana" })
        let authored = GraphExtractor.extract("I live in Oslo.", speaker: "Nils")
        #expect(authored.relations.map { "\($0.source.key) \($0.relationship) \($0.target.key)" } == ["nils lives_in oslo"])
        #expect(GraphExtractor.speakerPrefix(of: "Note: buy milk") == nil || GraphExtractor.speakerPrefix(of: "Note: buy milk")?.speaker == "Note")
        #expect(GraphExtractor.speakerPrefix(of: "So: that's it") == nil)
        #expect(GraphExtractor.speakerPrefix(of: "http://example.com") == nil)
    }

    @Test("my name is X names the user")
    func selfNames() {
        #expect(GraphExtractor.extract("Hi, my name is Ada Lovelace.").selfNames == ["Ada Lovelace"])
        #expect(GraphExtractor.extract("Please call me Bob.").selfNames == ["Bob"])
    }

    @Test("names compare by key; fuzzy matching is conservative")
    func names() {
        #expect(EntityName.key("  New   York ") == "new york")
        #expect(EntityName.key("\"Claire\"") == "claire")
        #expect(EntityName.isSameName("zoë", "zoe"))
        #expect(EntityName.isSameName("mellanie", "melanie"))
        #expect(!EntityName.isSameName("claire", "clara"))
        #expect(!EntityName.isSameName("jon", "jan"))
        #expect(!EntityName.isSameName("caroline", "carolina"))
        #expect(!EntityName.isSameName("michael", "michelle"))
        #expect(!EntityName.isSameName("john smith", "jane smith"))
        #expect(EntityName.relationship("Lives In") == "lives_in")
        #expect(EntityName.relationship("???") == nil)
        #expect(EntityName.clean(String(repeating: "a", count: 201)) == nil)
        #expect(EntityName.clean("nul\u{0}byte") == nil)
        #expect(EntityName.clean("🦄 Sparkle") == "🦄 Sparkle")
    }
}
