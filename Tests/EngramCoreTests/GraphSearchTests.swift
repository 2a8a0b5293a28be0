@testable import EngramCore
import Foundation
import Testing

/// The pure parts of the graph half of a search: query keys, relation ranking, damping and scores.
@Suite struct GraphSearchTests {
    static func relation(_ id: String, _ source: String, _ relationship: String, _ target: String, at seconds: Double) -> GraphRelation {
        GraphRelation(
            id: id, source: source, sourceType: "entity", relationship: relationship, target: target, targetType: "entity",
            fact: nil, validAt: nil, invalidAt: nil, createdAt: Date(timeIntervalSince1970: seconds), expiredAt: nil, memoryIDs: [],
            origin: .heuristic, sourceID: source, targetID: target)
    }

    @Test("query keys: spotted names and word runs as names, single uncommon words apart")
    func queryKeys() {
        let (names, words) = GraphSearch.candidateKeys(in: "Where does Claire Dubois live now?", maxWords: 3)
        #expect(names.contains("claire dubois"))
        #expect(names.contains("does claire"))
        #expect(words == ["claire", "dubois", "live"])
    }

    @Test("relations touching a query entity rank by its weight, related_to at half, each once, newest first on ties")
    func ranking() {
        let typed = Self.relation("r1", "claire", "lives_in", "lyon", at: 1)
        let linked = Self.relation("r2", "claire", "related_to", "tom", at: 2)
        let older = Self.relation("r0", "claire", "sister", "ana", at: 0)
        let elsewhere = Self.relation("r3", "tom", "likes", "tea", at: 3)
        let ranked = GraphSearch.rank([typed, linked, older, typed, elsewhere], weights: ["claire": 0.8], seeds: ["claire"], limit: 10)
        #expect(ranked.map(\.relation.id) == ["r1", "r0", "r2"])
        #expect(ranked.map(\.score) == [0.8, 0.8, 0.4])
    }

    @Test("damping counts a rare entity fully and a hub for little; scores are the weight named over the query's")
    func scores() {
        #expect(GraphSettings.damping(mentions: 1) == 1)
        #expect(GraphSettings.damping(mentions: 0) == 1)
        #expect(GraphSettings.damping(mentions: 316) < 0.01)
        var hits = GraphSearch.Hits()
        hits.weights = ["rare": 0.9, "hub": 0.1, "neighbour": 0.45]
        hits.mass = 1.0
        let scores = hits.scores(["m1": ["rare", "hub"], "m2": ["hub"], "m3": ["neighbour", "rare", "hub"]])
        #expect(scores["m1"] == 1.0)
        #expect(abs((scores["m2"] ?? 0) - 0.1) < 1e-12)
        #expect(scores["m3"] == 1.0)
    }
}
