import Foundation

/// What a search found: memories best first, and the relations around the query's entities.
public struct SearchOutcome: Sendable {
    public var results: [ScoredMemory]
    /// Empty when the graph was off for the search.
    public var relations: [ScoredRelation]
    /// What went wrong without failing the search (a reranker that could not answer).
    public var warnings: [String] = []
}

extension MemoryService {
    /// The memories most relevant to the query, best first, with fused scores in [0, 1], and the
    /// relations around the entities it names.
    public func search(_ request: SearchRequest) throws -> SearchOutcome {
        try store.allowingReplicaReads { try searchStore(request) }
    }

    private func searchStore(_ request: SearchRequest) throws -> SearchOutcome {
        let query = request.query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !query.isEmpty else { throw MemoryError.invalid("query must not be empty") }
        guard (0...1).contains(request.threshold) else { throw MemoryError.invalid("threshold must be between 0 and 1") }
        guard (0...configuration.maxPageSize).contains(request.topK) else {
            throw MemoryError.invalid("top_k must be between 0 and \(configuration.maxPageSize)")
        }
        let reranker = request.rerank ? try activeReranker() : nil
        let rerankCandidates = request.rerankCandidates ?? reranker?.candidates ?? configuration.rerankCandidates
        guard (1...configuration.maxPageSize).contains(rerankCandidates) else {
            throw MemoryError.invalid("top_n must be between 1 and \(configuration.maxPageSize)")
        }
        guard request.topK > 0 else { return SearchOutcome(results: [], relations: []) }
        let pendingVector = embedder.startEmbedding(query)
        let visibility = Visibility(showExpired: request.showExpired, includeSuperseded: false, today: today(), asOf: request.asOf)
        let limit = max(request.topK * configuration.overfetchFactor, configuration.minimumCandidates)
        let (store, project, filter) = (self.store, self.project, request.filter)
        let metrics = self.metrics
        let started = DispatchTime.now().uptimeNanoseconds
        let semanticHalf = { @Sendable () throws -> (vector: [Float], hits: [SearchCandidate]) in
            let vector = try pendingVector.wait()
            let embedded = DispatchTime.now().uptimeNanoseconds
            metrics.observe(Metrics.searchDuration, ["embed"], Double(embedded - started) / 1e9)
            let hits = try store.semanticCandidates(vector, project: project, filter: filter, visibility: visibility, limit: limit)
            metrics.observe(Metrics.searchDuration, ["vector"], Double(DispatchTime.now().uptimeNanoseconds - embedded) / 1e9)
            return (vector, hits)
        }
        let graph = configuration.graph.enabled && request.enableGraph != false
            ? GraphSearch(store: store, project: project, settings: configuration.graph) : nil
        var graphHits = GraphSearch.Hits()
        // The keyword and graph halves run on this thread while the query embeds.
        let keywordHalf = {
            if let graph {
                graphHits = try metrics.time(Metrics.searchDuration, ["graph"]) {
                    try graph.run(query: query, filter: filter, visibility: visibility)
                }
            }
            guard request.keywordSearch else { return [SearchCandidate]() }
            return try metrics.time(Metrics.searchDuration, ["keyword"]) {
                try store.keywordCandidates(query, project: project, filter: filter, visibility: visibility, limit: limit)
            }
        }
        let vector: [Float]
        let semanticHits: [SearchCandidate]
        let keywordHits: [SearchCandidate]
        let scopeSize = store.knownCandidateCount(project: project, filter: filter, visibility: visibility, dimension: embedder.dimension)
        if request.keywordSearch || graph != nil, scopeSize.map({ $0 >= configuration.parallelSearchMinimumCandidates }) ?? true {
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

        let fusing = DispatchTime.now().uptimeNanoseconds
        var cosine: [String: Double] = [:]
        for hit in semanticHits { cosine[hit.id] = hit.score }
        var bm25: [String: Double] = [:]
        for hit in keywordHits { bm25[hit.id] = hit.score }
        // The graph adds its best few memories that neither half found (the most similar first among
        // equal graph scores), then scores every candidate by its links.
        let missed = graphHits.reachable.keys.filter { cosine[$0] == nil && bm25[$0] == nil }.sorted()
        let keywordOnly = keywordHits.map(\.id).filter { cosine[$0] == nil }
        if !keywordOnly.isEmpty || !missed.isEmpty {
            cosine.merge(try store.similarities(vector, ids: keywordOnly + missed, project: project)) { current, _ in current }
        }
        let added = missed.filter { cosine[$0] != nil }
            .sorted { (graphHits.reachable[$0] ?? 0, cosine[$0] ?? 0, $1) > (graphHits.reachable[$1] ?? 0, cosine[$1] ?? 0, $0) }
            .prefix(configuration.graph.addedCandidates)
        let ids = Set(semanticHits.map(\.id)).union(bm25.keys).union(added)
        let graphScores = try graph?.scores(of: ids.sorted(), graphHits) ?? [:]
        var candidates = ids.map {
            ScoreFusion.Candidate(id: $0, cosine: cosine[$0] ?? 0, bm25: bm25[$0], graph: graphScores[$0] ?? 0)
        }
        let kept = reranker == nil ? request.topK : max(request.topK, rerankCandidates)
        if configuration.conversationContext {
            try addContext(to: &candidates, query: query, vector: vector, filter: filter, visibility: visibility, kept: kept)
        }
        let ranked = configuration.fusion.rank(candidates, threshold: request.threshold, limit: kept)
        metrics.observe(Metrics.searchDuration, ["fuse"], Double(DispatchTime.now().uptimeNanoseconds - fusing) / 1e9)
        // Only the winners are read in full; one deleted since it was ranked is left out.
        let memories = try metrics.time(Metrics.searchDuration, ["read"]) { try store.memories(ids: ranked.map(\.id), project: project) }
        var results = ranked.compactMap { ranked -> ScoredMemory? in
            guard let memory = memories[ranked.id] else { return nil }
            return ScoredMemory(
                memory: memory, score: ranked.score, semanticScore: ranked.semantic, keywordScore: ranked.keyword, graphScore: ranked.graph)
        }
        var warnings: [String] = []
        if let reranker {
            do {
                results = try metrics.time(Metrics.searchDuration, ["rerank"]) { try Self.reordered(results, query: query, by: reranker.make()) }
            } catch {
                warnings.append("rerank failed, results are in the fused order: \(Self.summary(of: error))")
            }
        }
        return SearchOutcome(results: Array(results.prefix(request.topK)), relations: graphHits.relations, warnings: warnings)
    }

    /// Brings each best candidate's conversation into the ranking: the memories written just before
    /// and just after it (within the search's filter) become candidates too, every one of them knows
    /// its two neighbours, and those said by the one speaker the query names are marked (from the
    /// texts alone: reading the memories in full took a third of the context's time).
    ///
    /// The best `1.5 × kept` candidates by their own relevance (at least 12, at most 100) are looked
    /// at (on LoCoMo dev, 12 to 40 ranked alike);
    /// their neighbours' neighbours are fetched too, so every memory that can be boosted has both
    /// sides. Neighbours that no search found get their semantic score from the stored vectors.
    private func addContext(
        to candidates: inout [ScoreFusion.Candidate], query: String, vector: [Float], filter: Filter, visibility: Visibility, kept: Int
    ) throws {
        let relevance = configuration.fusion.relevance(candidates)
        let best = candidates.map(\.id).sorted { (relevance[$0] ?? 0, $1) > (relevance[$1] ?? 0, $0) }
            .prefix(min(max(kept + kept / 2, 12), 100))
        guard !best.isEmpty else { return }
        var known = Set(candidates.map(\.id))
        var adjacent = try store.adjacentMemories(to: Array(best), project: project, filter: filter, visibility: visibility)
        // The neighbours of the best, whether a search found them or not, need their own neighbours.
        let found = Set(adjacent.values.flatMap { [$0.previous, $0.next].compactMap { $0 } }).subtracting(best)
        if !found.isEmpty {
            adjacent.merge(try store.adjacentMemories(to: found.sorted(), project: project, filter: filter, visibility: visibility)) { current, _ in current }
        }
        let fresh = Set(adjacent.values.flatMap { [$0.previous, $0.next].compactMap { $0 } }).subtracting(known).sorted()
        if !fresh.isEmpty {
            let similarity = try store.similarities(vector, ids: fresh, project: project)
            for id in fresh {
                candidates.append(ScoreFusion.Candidate(id: id, cosine: similarity[id] ?? 0, bm25: nil))
                known.insert(id)
            }
        }
        let looked = Set(best).union(found)
        var labels: [String: String] = [:]
        for (id, text) in try store.texts(ids: looked.sorted(), project: project) { labels[id] = SpeakerLabel.of(text) }
        let speaker = SpeakerLabel.named(in: query, among: Set(labels.values))
        for index in candidates.indices where looked.contains(candidates[index].id) {
            let id = candidates[index].id
            candidates[index].previous = adjacent[id]?.previous
            candidates[index].next = adjacent[id]?.next
            candidates[index].speaker = speaker != nil && labels[id] == speaker
        }
    }

    /// What reranks this search: the configured reranker, or for `llm` the chat model in use (checked
    /// when the search runs, since `POST /configure` may have removed it).
    struct ActiveReranker {
        /// The settings' `top_n`, if any.
        let candidates: Int?
        let make: () throws -> any Reranker
    }

    /// The configured reranker; a search asking for one without it is refused.
    func activeReranker() throws -> ActiveReranker {
        let (reranker, settings, model) = shared.providers.withLock { ($0.reranker, $0.rerankerSettings, $0.chatModel) }
        if let reranker { return ActiveReranker(candidates: settings?.topN) { reranker } }
        guard settings?.provider == "llm" else {
            throw MemoryError.invalid(
                "rerank is not available: no reranker is configured on this server "
                    + "(set ENGRAM_RERANKER_PROVIDER, or 'reranker' in the config file or POST /configure)")
        }
        return ActiveReranker(candidates: settings?.topN) {
            guard let model else { throw ProviderError(.unavailable, "the llm reranker needs an LLM, and none is configured") }
            return LLMReranker(model: model)
        }
    }

    /// `results` in the reranker's order (ties keep the fused order), each scored by the reranker:
    /// its relevance in [0, 1], or the logistic function of its logit.
    static func reordered(_ results: [ScoredMemory], query: String, by reranker: any Reranker) throws -> [ScoredMemory] {
        guard !results.isEmpty else { return results }
        let scores = try reranker.scores(query: query, documents: results.map(\.memory.text))
        guard scores.count == results.count, scores.allSatisfy(\.isFinite) else {
            throw ProviderError(.unavailable, "\(reranker.modelID) returned \(scores.count) scores for \(results.count) candidates")
        }
        let order = results.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        return order.map { index in
            var result = results[index]
            let raw = scores[index]
            result.rerankScore = raw
            result.score = reranker.scoresAreLogits ? 1 / (1 + exp(-raw)) : min(max(raw, 0), 1)
            return result
        }
    }

    /// A failure as a client may read it: a provider's code and message, never internals.
    static func summary(of error: any Error) -> String {
        if let error = error as? ProviderError { return error.description }
        if let error = error as? MemoryError { return error.message }
        return "the reranker failed"
    }
}
