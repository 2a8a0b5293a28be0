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
        let vector = try embedder.embed(query)
        let visibility = Visibility(showExpired: request.showExpired, includeSuperseded: false, today: today())
        let limit = max(request.topK * configuration.overfetchFactor, configuration.minimumCandidates)

        var byID: [String: Memory] = [:]
        var cosine: [String: Double] = [:]
        for hit in try store.semanticSearch(vector, project: project, filter: request.filter, visibility: visibility, limit: limit) {
            byID[hit.memory.id] = hit.memory
            cosine[hit.memory.id] = hit.semanticScore ?? hit.score
        }
        var bm25: [String: Double] = [:]
        if request.keywordSearch {
            for hit in try store.keywordSearch(query, project: project, filter: request.filter, visibility: visibility, limit: limit) {
                byID[hit.memory.id] = byID[hit.memory.id] ?? hit.memory
                bm25[hit.memory.id] = hit.keywordScore ?? hit.score
                if cosine[hit.memory.id] == nil {
                    cosine[hit.memory.id] = Double(Self.dot(vector, hit.memory.embedding))
                }
            }
        }
        let candidates = byID.keys.map { ScoreFusion.Candidate(id: $0, cosine: cosine[$0] ?? 0, bm25: bm25[$0]) }
        return configuration.fusion.rank(candidates, threshold: request.threshold, limit: request.topK).compactMap { ranked in
            guard let memory = byID[ranked.id] else { return nil }
            return ScoredMemory(memory: memory, score: ranked.score, semanticScore: ranked.semantic, keywordScore: ranked.keyword)
        }
    }
}

import Foundation
