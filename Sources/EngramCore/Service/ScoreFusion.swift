/// Fuses semantic and keyword relevance into one score in [0, 1].
///
/// Candidates come from both searches; each gets its semantic score (cosine similarity clamped to
/// [0, 1], computed for keyword-only candidates too) and its keyword score (BM25 divided by the best
/// BM25 among the candidates, so the top keyword match scores 1). The final score is the weighted sum.
/// `threshold` filters on the semantic score, as mem0 does.
public struct ScoreFusion: Sendable {
    /// Weight of the semantic score; the keyword score gets the rest.
    public var semanticWeight: Double

    public init(semanticWeight: Double = 0.5) {
        self.semanticWeight = semanticWeight
    }

    /// One candidate's raw scores.
    public struct Candidate: Sendable {
        public var id: String
        public var cosine: Double
        public var bm25: Double?

        public init(id: String, cosine: Double, bm25: Double?) {
            self.id = id
            self.cosine = cosine
            self.bm25 = bm25
        }
    }

    /// One ranked result and the parts of its score.
    public struct Ranked: Sendable, Equatable {
        public var id: String
        public var score: Double
        public var semantic: Double
        public var keyword: Double
    }

    /// Ranks candidates best first, dropping those whose semantic score is below `threshold`; ties are
    /// broken by id so the order is deterministic.
    public func rank(_ candidates: [Candidate], threshold: Double, limit: Int) -> [Ranked] {
        let best = candidates.compactMap(\.bm25).filter { $0 > 0 }.max() ?? 0
        let keywordWeight = best > 0 ? 1 - semanticWeight : 0
        let semanticShare = best > 0 ? semanticWeight : 1
        let ranked = candidates.compactMap { candidate -> Ranked? in
            let semantic = min(max(candidate.cosine, 0), 1)
            guard semantic >= threshold else { return nil }
            let keyword = best > 0 ? min(max((candidate.bm25 ?? 0) / best, 0), 1) : 0
            let score = min(semanticShare * semantic + keywordWeight * keyword, 1)
            return Ranked(id: candidate.id, score: score, semantic: semantic, keyword: keyword)
        }
        return Array(ranked.sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }.prefix(limit))
    }
}
