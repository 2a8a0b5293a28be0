import Foundation

/// What `MemoryService.search` is asked for.
public struct SearchRequest: Sendable {
    public var query: String
    /// Scope and any other conditions; at least one scope id must be constrained.
    public var filter: Filter
    /// How many results at most (mem0's `top_k`, alias `limit`).
    public var topK: Int
    /// Minimum semantic score in [0, 1].
    public var threshold: Double
    /// Use keyword (BM25) scores too.
    public var keywordSearch: Bool
    public var showExpired: Bool
    /// False leaves the graph out of this search; nil follows the server's setting.
    public var enableGraph: Bool?
    /// What held at this time: memories observed by then and not superseded then, relations valid then.
    public var asOf: Date?
    /// Reorder the best candidates with the configured reranker (a search without one is refused).
    public var rerank: Bool
    /// How many of the fused ranking's best candidates the reranker reads (at least `topK`); nil takes
    /// the engine's default (50).
    public var rerankCandidates: Int?

    public init(
        query: String, filter: Filter, topK: Int = 20, threshold: Double = 0.1, keywordSearch: Bool = true, showExpired: Bool = false,
        enableGraph: Bool? = nil, asOf: Date? = nil, rerank: Bool = false, rerankCandidates: Int? = nil
    ) {
        self.rerank = rerank
        self.rerankCandidates = rerankCandidates
        self.enableGraph = enableGraph
        self.asOf = asOf
        self.query = query
        self.filter = filter
        self.topK = topK
        self.threshold = threshold
        self.keywordSearch = keywordSearch
        self.showExpired = showExpired
    }
}
