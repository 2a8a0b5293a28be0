import EngramCore
import Foundation

/// An `Embedder` backed by a provider's API (OpenAI-compatible `/embeddings`, or Ollama's `/api/embed`).
///
/// - Texts go out in batches of at most 100, newlines replaced by spaces (as OpenAI recommends); an
///   empty text is sent as one space, since APIs refuse empty input.
/// - The dimension is the configured one, or learnt from one probe call when the embedder is created.
///   Every vector that comes back is checked against it, and must be finite.
/// - Vectors are scaled to unit length before they are returned: the stores compare them by dot
///   product, which equals cosine similarity only for unit vectors.
/// - `tokenCount(of:)` is an estimate, not the provider's tokenizer: one token per four UTF-8 bytes,
///   at least one. It is used for usage reports only.
public final class RemoteEmbedder: Embedder {
    /// `provider/model`, e.g. `openai/text-embedding-3-small`.
    public let modelID: String
    /// The length of every returned vector.
    public let dimension: Int
    private let api: any EmbeddingAPI

    /// Uses `dimension` when given; otherwise makes one call to learn it.
    init(api: any EmbeddingAPI, dimension: Int?) throws(ProviderError) {
        self.api = api
        self.modelID = "\(api.provider)/\(api.model)"
        if let dimension {
            self.dimension = dimension
        } else {
            let probe = try api.embed(["dimension probe"])
            guard let first = probe.first, !first.isEmpty else {
                throw ProviderError(.unavailable, "\(api.provider) returned no embedding for the dimension probe")
            }
            self.dimension = first.count
        }
    }

    /// An embedder on an OpenAI-compatible `/embeddings` endpoint. `requestedDimensions` is sent as the
    /// API's `dimensions` field (text-embedding-3 models shorten their vectors to it) and is then also
    /// the expected dimension.
    public static func openAI(
        provider: String, model: String, endpoint: OpenAIEndpoint, client: HTTPClient, requestedDimensions: Int? = nil
    ) throws(ProviderError) -> RemoteEmbedder {
        let api = OpenAIEmbeddingAPI(
            provider: provider, model: model, endpoint: endpoint, client: client, requestedDimensions: requestedDimensions)
        return try RemoteEmbedder(api: api, dimension: requestedDimensions)
    }

    /// An embedder on Ollama's `/api/embed` under `baseURL` (e.g. `http://localhost:11434`).
    public static func ollama(model: String, baseURL: String, client: HTTPClient, dimension: Int? = nil) throws(ProviderError) -> RemoteEmbedder {
        try RemoteEmbedder(api: OllamaEmbeddingAPI(model: model, baseURL: baseURL, client: client), dimension: dimension)
    }

    /// The unit vector of one text.
    public func embed(_ text: String) throws(ProviderError) -> [Float] {
        let vectors = try embed(batch: [text])
        guard let vector = vectors.first else {
            throw ProviderError(.unavailable, "\(api.provider) returned no embedding")
        }
        return vector
    }

    /// The unit vectors of `texts`, in order, fetched in calls of at most 100 texts.
    public func embed(batch texts: [String]) throws(ProviderError) -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let end = min(start + max(1, api.maxBatchSize), texts.count)
            let raw = try api.embed(texts[start..<end].map(Self.prepare))
            for vector in raw {
                vectors.append(try checked(vector))
            }
            start = end
        }
        return vectors
    }

    /// An estimate: one token per four UTF-8 bytes, at least one.
    public func tokenCount(of text: String) -> Int {
        max(1, text.utf8.count / 4)
    }

    /// The text as sent: newlines as spaces, never empty.
    static func prepare(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
        return flat.isEmpty ? " " : flat
    }

    /// The vector scaled to unit length, after checking its size and values.
    private func checked(_ vector: [Float]) throws(ProviderError) -> [Float] {
        guard vector.count == dimension else {
            throw ProviderError(.unavailable, "\(modelID) returned \(vector.count) dimensions, expected \(dimension)")
        }
        guard let unit = VectorMath.normalized(vector) else {
            throw ProviderError(.unavailable, "\(modelID) returned an embedding with non-finite values")
        }
        return unit
    }
}
