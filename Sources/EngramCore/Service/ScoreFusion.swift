/// Fuses semantic, keyword and graph relevance into one score in [0, 1].
///
/// Candidates come from the three searches; each gets its semantic score (cosine similarity clamped to
/// [0, 1], computed for keyword-only and graph-only candidates too), its keyword score (BM25 divided by
/// the best BM25 among the candidates, so the top keyword match scores 1) and its graph score (in
/// [0, 1], `GraphSearch`). Semantic and keyword scores are combined by `semanticWeight`; when the graph
/// found anything, its score is added with `graphWeight` and the sum divided by `1 + graphWeight`.
/// `threshold` filters on the semantic score, as mem0 does.
public struct ScoreFusion: Sendable {
    /// Weight of the semantic score; the keyword score gets the rest.
    public var semanticWeight: Double
    /// Weight of the graph score beside the other two together.
    public var graphWeight: Double

    /// The graph's default weight makes the fused score 0.9 × (semantic and keyword) + 0.1 × graph:
    /// chosen on three LoCoMo conversations (0.2 and 0.3 lost any@10 there), README "Graph memory".
    public init(semanticWeight: Double = 0.5, graphWeight: Double = 1.0 / 9.0) {
        self.semanticWeight = semanticWeight
        self.graphWeight = graphWeight
    }

    /// One candidate's raw scores.
    public struct Candidate: Sendable {
        public var id: String
        public var cosine: Double
        public var bm25: Double?
        public var graph: Double

        public init(id: String, cosine: Double, bm25: Double?, graph: Double = 0) {
            self.id = id
            self.cosine = cosine
            self.bm25 = bm25
            self.graph = graph
        }
    }

    /// One ranked result and the parts of its score.
    public struct Ranked: Sendable, Equatable {
        public var id: String
        public var score: Double
        public var semantic: Double
        public var keyword: Double
        public var graph: Double
    }

    /// Ranks candidates best first, dropping those whose semantic score is below `threshold`; ties are
    /// broken by id so the order is deterministic.
    public func rank(_ candidates: [Candidate], threshold: Double, limit: Int) -> [Ranked] {
        let best = candidates.compactMap(\.bm25).filter { $0 > 0 }.max() ?? 0
        let keywordWeight = best > 0 ? 1 - semanticWeight : 0
        let semanticShare = best > 0 ? semanticWeight : 1
        let graphShare = candidates.contains { $0.graph > 0 } ? graphWeight : 0
        let ranked = candidates.compactMap { candidate -> Ranked? in
            let semantic = min(max(candidate.cosine, 0), 1)
            guard semantic >= threshold else { return nil }
            let keyword = best > 0 ? min(max((candidate.bm25 ?? 0) / best, 0), 1) : 0
            let graph = min(max(candidate.graph, 0), 1)
            let score = min((semanticShare * semantic + keywordWeight * keyword + graphShare * graph) / (1 + graphShare), 1)
            return Ranked(id: candidate.id, score: score, semantic: semantic, keyword: keyword, graph: graph)
        }
        return Array(ranked.sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }.prefix(limit))
    }
}
