import Testing
@testable import EngramCore

@Suite("Score fusion")
struct ScoreFusionTests {
    @Test("weighs semantic and relative keyword scores into [0, 1]")
    func fuses() {
        let ranked = ScoreFusion(semanticWeight: 0.5).rank([
            .init(id: "a", cosine: 0.8, bm25: 4),
            .init(id: "b", cosine: 0.9, bm25: nil),
            .init(id: "c", cosine: 0.5, bm25: 2),
        ], threshold: 0.1, limit: 10)
        #expect(ranked.map(\.id) == ["a", "c", "b"])
        #expect(ranked[0].score == 0.9)
        #expect(ranked[0].keyword == 1)
        #expect(ranked.allSatisfy { $0.score >= 0 && $0.score <= 1 })
    }

    @Test("uses the semantic score alone when nothing matched the keywords")
    func semanticOnly() {
        let ranked = ScoreFusion().rank([.init(id: "a", cosine: 0.7, bm25: nil)], threshold: 0, limit: 5)
        #expect(ranked.first?.score == 0.7)
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
