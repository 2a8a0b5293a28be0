import Foundation

/// Fuses semantic, keyword, conversation-context, speaker and graph relevance into one score in [0, 1].
///
/// Candidates come from the three searches and from the conversation around the best of them; each
/// gets its semantic score (cosine similarity clamped to [0, 1], computed for keyword-only, graph-only
/// and context candidates too), its keyword score (BM25 divided by the best BM25 among the
/// candidates, so the top keyword match scores 1) and its graph score (in [0, 1], `GraphSearch`).
/// A memory's own relevance is `semanticWeight × semantic^semanticExponent + (1 − semanticWeight) ×
/// keyword` (semantic alone when nothing matched the keywords). Its score adds, with their weights,
/// the own relevance of the memory written just before it and of the one just after it (an answer
/// follows the question that names what it answers), 1 when it was said by the one speaker the query
/// names, and its graph score; the sum is divided by the sum of the weights that applied to this
/// search, so it stays in [0, 1] and the order is that of the sum. `threshold` filters on the
/// semantic score, as mem0 does.
///
/// The defaults were chosen on three LoCoMo conversations and checked on two held back
/// (docs/benchmarks.md, "Retrieval quality").
public struct ScoreFusion: Sendable {
    /// Weight of the semantic score; the keyword score gets the rest.
    public var semanticWeight: Double
    /// The power the semantic score is raised to: above 1 it widens the gap between close and loose
    /// matches.
    public var semanticExponent: Double
    /// Weight of the graph score.
    public var graphWeight: Double
    /// Weight of the own relevance of the memory written just before a candidate.
    public var previousWeight: Double
    /// Weight of the own relevance of the memory written just after a candidate.
    public var nextWeight: Double
    /// Weight of a candidate said by the one speaker the query names.
    public var speakerWeight: Double

    public init(
        semanticWeight: Double = 0.5, semanticExponent: Double = 2, graphWeight: Double = 0.1,
        previousWeight: Double = 0.4, nextWeight: Double = 0.3, speakerWeight: Double = 0.2
    ) {
        self.semanticWeight = semanticWeight
        self.semanticExponent = semanticExponent
        self.graphWeight = graphWeight
        self.previousWeight = previousWeight
        self.nextWeight = nextWeight
        self.speakerWeight = speakerWeight
    }

    /// One candidate's raw scores.
    public struct Candidate: Sendable {
        public var id: String
        public var cosine: Double
        public var bm25: Double?
        public var graph: Double
        /// The memories written just before and just after it, when known (their ids).
        public var previous: String?
        public var next: String?
        /// Whether it was said by the one speaker the query names.
        public var speaker: Bool

        public init(
            id: String, cosine: Double, bm25: Double?, graph: Double = 0, previous: String? = nil, next: String? = nil,
            speaker: Bool = false
        ) {
            self.id = id
            self.cosine = cosine
            self.bm25 = bm25
            self.graph = graph
            self.previous = previous
            self.next = next
            self.speaker = speaker
        }
    }

    /// One ranked result and the parts of its score.
    public struct Ranked: Sendable, Equatable {
        public var id: String
        public var score: Double
        public var semantic: Double
        public var keyword: Double
        public var graph: Double
        /// The weighted relevance its neighbours added (before the division).
        public var context: Double
    }

    /// The own relevance of every candidate, by id: semantic and keyword only. Neighbours that are
    /// not candidates themselves come in as candidates with no keyword score.
    public func relevance(_ candidates: [Candidate]) -> [String: Double] {
        let best = candidates.compactMap(\.bm25).filter { $0 > 0 }.max() ?? 0
        var result: [String: Double] = [:]
        for candidate in candidates {
            result[candidate.id] = ownRelevance(candidate, best: best)
        }
        return result
    }

    private func ownRelevance(_ candidate: Candidate, best: Double) -> Double {
        let semantic = min(max(candidate.cosine, 0), 1)
        let shaped = semanticExponent == 2 ? semantic * semantic : pow(semantic, semanticExponent)
        guard best > 0 else { return shaped }
        let keyword = min(max((candidate.bm25 ?? 0) / best, 0), 1)
        return semanticWeight * shaped + (1 - semanticWeight) * keyword
    }

    /// Ranks candidates best first, dropping those whose semantic score is below `threshold`; ties are
    /// broken by id so the order is deterministic. A neighbour named by `previous` / `next` that is
    /// not among `candidates` adds nothing.
    public func rank(_ candidates: [Candidate], threshold: Double, limit: Int) -> [Ranked] {
        let best = candidates.compactMap(\.bm25).filter { $0 > 0 }.max() ?? 0
        var own: [String: Double] = [:]
        for candidate in candidates { own[candidate.id] = ownRelevance(candidate, best: best) }
        let contextShare = candidates.contains { $0.previous != nil || $0.next != nil } ? previousWeight + nextWeight : 0
        let speakerShare = candidates.contains(where: \.speaker) ? speakerWeight : 0
        let graphShare = candidates.contains { $0.graph > 0 } ? graphWeight : 0
        let total = 1 + contextShare + speakerShare + graphShare
        let ranked = candidates.compactMap { candidate -> Ranked? in
            let semantic = min(max(candidate.cosine, 0), 1)
            guard semantic >= threshold else { return nil }
            let keyword = best > 0 ? min(max((candidate.bm25 ?? 0) / best, 0), 1) : 0
            let graph = min(max(candidate.graph, 0), 1)
            let context = previousWeight * (candidate.previous.flatMap { own[$0] } ?? 0)
                + nextWeight * (candidate.next.flatMap { own[$0] } ?? 0)
            let sum = (own[candidate.id] ?? 0) + context + (candidate.speaker ? speakerShare : 0) + graphShare * graph
            return Ranked(
                id: candidate.id, score: min(sum / total, 1), semantic: semantic, keyword: keyword, graph: graph, context: context)
        }
        return Array(ranked.sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }.prefix(limit))
    }
}
