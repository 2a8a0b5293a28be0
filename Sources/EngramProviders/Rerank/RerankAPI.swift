import EngramCore

/// One provider's rerank endpoint: a single call for a query and at most `maxBatchSize` documents,
/// answered with the provider's `(index, score)` entries as they came, unchecked. Batching and the
/// checks that every document is scored exactly once are `RemoteReranker`'s job.
protocol RerankAPI: Sendable {
    /// The provider name used in `modelID`, e.g. `cohere`.
    var provider: String { get }
    /// The model name used in `modelID`.
    var model: String { get }
    /// Where the calls go.
    var endpoint: RerankEndpoint { get }
    /// The most documents sent in one call.
    var maxBatchSize: Int { get }

    /// The provider's entries for `documents` (at most `maxBatchSize` of them), in whatever order it
    /// sent them.
    func rank(query: String, documents: [String]) throws(ProviderError) -> [RankedDocument]
}

/// One `{"index", "relevance_score"}` entry of Cohere's, Jina's and Voyage AI's answers.
struct RelevanceEntry: Decodable {
    var index: Int
    var relevanceScore: Double

    enum CodingKeys: String, CodingKey {
        case index
        case relevanceScore = "relevance_score"
    }

    var ranked: RankedDocument { RankedDocument(index: index, score: relevanceScore) }
}
