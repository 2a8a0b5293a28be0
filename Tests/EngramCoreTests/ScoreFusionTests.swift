import Testing
@testable import EngramCore

@Suite("Score fusion")
struct ScoreFusionTests {
    @Test("weighs the squared semantic score and the relative keyword score into [0, 1]")
    func fuses() {
        let ranked = ScoreFusion(semanticWeight: 0.5).rank([
            .init(id: "a", cosine: 0.8, bm25: 4),
            .init(id: "b", cosine: 0.9, bm25: nil),
            .init(id: "c", cosine: 0.5, bm25: 2),
        ], threshold: 0.1, limit: 10)
        // Squared, a close semantic match (0.9: 0.405) now passes a loose one that matched half the
        // keywords (0.5: 0.125 + 0.25); with the linear score it was the other way round.
        #expect(ranked.map(\.id) == ["a", "b", "c"])
        #expect(abs(ranked[0].score - (0.5 * 0.64 + 0.5)) < 1e-12)
        #expect(ranked[0].keyword == 1)
        #expect(ranked.allSatisfy { $0.score >= 0 && $0.score <= 1 })
        let linear = ScoreFusion(semanticWeight: 0.5, semanticExponent: 1).rank([.init(id: "a", cosine: 0.8, bm25: 4)], threshold: 0, limit: 1)
        #expect(linear.first?.score == 0.9)
    }

    @Test("uses the semantic score alone when nothing matched the keywords")
    func semanticOnly() {
        let ranked = ScoreFusion().rank([.init(id: "a", cosine: 0.7, bm25: nil)], threshold: 0, limit: 5)
        #expect(abs((ranked.first?.score ?? 0) - 0.49) < 1e-12)
    }

    @Test("a memory after a strong match rises by its neighbour's relevance; the score stays in [0, 1]")
    func neighboursLift() {
        let fusion = ScoreFusion(semanticExponent: 1, previousWeight: 0.4, nextWeight: 0.3, speakerWeight: 0.2)
        // "q" asks about the trip; "answer" replies to it in words the query does not use.
        let ranked = fusion.rank([
            .init(id: "q", cosine: 0.8, bm25: 5, next: "answer"),
            .init(id: "answer", cosine: 0.3, bm25: nil, previous: "q", next: "noise"),
            .init(id: "noise", cosine: 0.4, bm25: 1, previous: "answer"),
            .init(id: "far", cosine: 0.45, bm25: 1),
        ], threshold: 0, limit: 10)
        #expect(ranked.map(\.id) == ["q", "answer", "noise", "far"])
        let answer = ranked[1]
        #expect(abs(answer.context - (0.4 * 0.9 + 0.3 * 0.3)) < 1e-12)
        #expect(abs(answer.score - (0.15 + 0.36 + 0.3 * (0.5 * 0.4 + 0.1)) / 1.7) < 1e-12)
        #expect(ranked.allSatisfy { $0.score >= 0 && $0.score <= 1 })
        // Without neighbours the weights do not dilute the score.
        #expect(fusion.rank([.init(id: "a", cosine: 0.6, bm25: nil)], threshold: 0, limit: 1).first?.score == 0.6)
    }

    @Test("the named speaker's memories rise; neighbours outside the candidates add nothing")
    func speaker() {
        let fusion = ScoreFusion(semanticExponent: 1, speakerWeight: 0.2)
        let ranked = fusion.rank([
            .init(id: "mel", cosine: 0.5, bm25: nil, speaker: false),
            .init(id: "caroline", cosine: 0.4, bm25: nil, previous: "not-a-candidate", speaker: true),
        ], threshold: 0, limit: 2)
        #expect(ranked.map(\.id) == ["caroline", "mel"])
        #expect(ranked[0].context == 0)
    }

    @Test("applies the threshold to the semantic score, clamps negatives, limits, and breaks ties by id")
    func thresholdAndTies() {
        let ranked = ScoreFusion().rank([
            .init(id: "z", cosine: 0.5, bm25: nil),
            .init(id: "y", cosine: 0.5, bm25: nil),
            .init(id: "x", cosine: -0.3, bm25: 10),
            .init(id: "w", cosine: 0.05, bm25: 9),
        ], threshold: 0.1, limit: 1)
        #expect(ranked.map(\.id) == ["y"])
    }
}
