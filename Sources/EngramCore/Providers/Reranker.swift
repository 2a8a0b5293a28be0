/// Scores how well each of several documents answers a query, for reordering a search's candidates.
///
/// Calls are synchronous and block the calling thread (a worker the server owns). Implementations are
/// shared by every request, so they must be safe to call from many threads at once. A remote
/// reranker's failures are `ProviderError`s; a search that gets one keeps its fused order and says so
/// in a warning, so a reranker can slow a search down but never fail it.
public protocol Reranker: Sendable {
    /// `provider/model`, for logs, `explain` and `GET /configure`.
    var modelID: String { get }

    /// One relevance score per document, element `i` for `documents[i]`, higher meaning more relevant.
    /// Scores are compared only within one call (their scale is the provider's). An answer that does
    /// not score every document exactly once is a `ProviderError` (`.unavailable`), never a partial
    /// ranking.
    func scores(query: String, documents: [String]) throws -> [Double]

    /// Whether scores are unbounded logits (a cross-encoder's raw output) rather than relevances in
    /// [0, 1]; a reranked result's `score` is then the logistic function of it.
    var scoresAreLogits: Bool { get }
}

extension Reranker {
    public var scoresAreLogits: Bool { false }
}
