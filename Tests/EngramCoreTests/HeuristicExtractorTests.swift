import Testing
@testable import EngramCore

/// The offline extractor keeps declarative first-person user sentences and drops the rest.
@Suite("Heuristic extractor")
struct HeuristicExtractorTests {
    @Test("keeps the user's declarative sentences")
    func keepsFacts() {
        let facts = HeuristicExtractor.facts(from: [
            Message(role: "user", content: "Hi there! I moved to Lisbon last year. My sister is a nurse.\nI love hiking on weekends"),
        ])
        #expect(facts == ["I moved to Lisbon last year.", "My sister is a nurse.", "I love hiking on weekends"])
    }

    @Test("drops greetings, questions, requests and filler")
    func dropsNoise() {
        let facts = HeuristicExtractor.facts(from: [
            Message(role: "user", content: "Hello! Thanks a lot. What should I cook tonight? Can you help me? Please tell me a joke. ok sounds good"),
            Message(role: "user", content: "Do I have any plans?"),
        ])
        #expect(facts.isEmpty)
    }

    @Test("ignores assistant and system messages for a user's scope, and deduplicates")
    func speakers() {
        let facts = HeuristicExtractor.facts(from: [
            Message(role: "system", content: "I am a helpful assistant."),
            Message(role: "assistant", content: "I think you would like Porto."),
            Message(role: "user", content: "I am vegetarian. i am vegetarian."),
        ])
        #expect(facts == ["I am vegetarian."])
    }

    @Test("takes the assistant's statements for an agent-only scope")
    func agentScope() {
        let facts = HeuristicExtractor.facts(
            from: [Message(role: "assistant", content: "The deployment runs every Friday at noon.")], agentScope: true)
        #expect(facts == ["The deployment runs every Friday at noon."])
    }
}
