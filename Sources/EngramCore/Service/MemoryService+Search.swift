import Foundation

extension MemoryService {
    /// The memories most relevant to the query, best first, with fused scores in [0, 1].
    public func search(_ request: SearchRequest) throws -> [ScoredMemory] {
        let query = request.query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw MemoryError.invalid("query must not be empty") }
        guard (0...1).contains(request.threshold) else { throw MemoryError.invalid("threshold must be between 0 and 1") }
        guard (0...configuration.maxPageSize).contains(request.topK) else {
            throw MemoryError.invalid("top_k must be between 0 and \(configuration.maxPageSize)")
        }
        guard request.topK > 0 else { return [] }
        let pendingVector = embedder.startEmbedding(query)
        let visibility = Visibility(showExpired: request.showExpired, includeSuperseded: false, today: today())
        let limit = max(request.topK * configuration.overfetchFactor, configuration.minimumCandidates)
        let (store, project, filter) = (self.store, self.project, request.filter)
        let semanticHalf = { @Sendable () throws -> (vector: [Float], hits: [SearchCandidate]) in
            let vector = try pendingVector.wait()
            return (vector, try store.semanticCandidates(vector, project: project, filter: filter, visibility: visibility, limit: limit))
        }
        let keywordHalf = {
            request.keywordSearch
                ? try store.keywordCandidates(query, project: project, filter: filter, visibility: visibility, limit: limit)
                : []
        }
        let vector: [Float]
        let semanticHits: [SearchCandidate]
        let keywordHits: [SearchCandidate]
        let scopeSize = store.knownCandidateCount(project: project, filter: filter, visibility: visibility, dimension: embedder.dimension)
        if request.keywordSearch, scopeSize.map({ $0 >= configuration.parallelSearchMinimumCandidates }) ?? true {
            // Both halves take milliseconds over a large scope: the vector half (embedding the query,
            // then scanning the scope's vectors) runs on another thread while this one ranks keywords.
            let background = BackgroundTask(semanticHalf)
            keywordHits = try keywordHalf()
            (vector, semanticHits) = try background.wait()
        } else {
            // The query embeds on the embedder's threads meanwhile.
            keywordHits = try keywordHalf()
            (vector, semanticHits) = try semanticHalf()
        }

        var cosine: [String: Double] = [:]
        for hit in semanticHits { cosine[hit.id] = hit.score }
        var bm25: [String: Double] = [:]
        for hit in keywordHits { bm25[hit.id] = hit.score }
        let keywordOnly = keywordHits.map(\.id).filter { cosine[$0] == nil }
        if !keywordOnly.isEmpty {
            cosine.merge(try store.similarities(vector, ids: keywordOnly, project: project)) { current, _ in current }
        }
        let candidates = Set(cosine.keys).union(bm25.keys).map { ScoreFusion.Candidate(id: $0, cosine: cosine[$0] ?? 0, bm25: bm25[$0]) }
        // Only the winners are read in full; one deleted since it was ranked is left out.
        let ranked = configuration.fusion.rank(candidates, threshold: request.threshold, limit: request.topK)
        let memories = try store.memories(ids: ranked.map(\.id), project: project)
        return ranked.compactMap { ranked in
            guard let memory = memories[ranked.id] else { return nil }
            return ScoredMemory(memory: memory, score: ranked.score, semanticScore: ranked.semantic, keywordScore: ranked.keyword)
        }
    }
}
