import EngramCore

/// One provider's embedding endpoint: a single call for a few texts, answered with one raw vector per
/// text in input order. Batching, dimension checks and normalisation are `RemoteEmbedder`'s job.
protocol EmbeddingAPI: Sendable {
    /// The provider name used in `modelID`, e.g. `openai`.
    var provider: String { get }
    /// The model name used in `modelID`.
    var model: String { get }
    /// The most texts sent in one call.
    var maxBatchSize: Int { get }

    /// The vectors for `texts` (at most `maxBatchSize` of them), in the same order.
    func embed(_ texts: [String]) throws(ProviderError) -> [[Float]]
}
