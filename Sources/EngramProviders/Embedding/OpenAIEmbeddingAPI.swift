import EngramCore
import Foundation

/// OpenAI's `POST /embeddings` (and Azure's deployment variant, and compatible servers).
struct OpenAIEmbeddingAPI: EmbeddingAPI {
    let provider: String
    let model: String
    let endpoint: OpenAIEndpoint
    let client: HTTPClient
    /// Sent as `dimensions` (text-embedding-3 models can shorten their vectors); nil sends nothing.
    let requestedDimensions: Int?
    /// OpenAI accepts up to 2048 inputs per call; smaller calls keep request bodies and retries small.
    let maxBatchSize = 100

    func embed(_ texts: [String]) throws(ProviderError) -> [[Float]] {
        let url = endpoint.url("embeddings")
        let body = try ProviderJSON.encode(
            Body(model: model, input: texts, encodingFormat: "float", dimensions: requestedDimensions))
        let response = try client.send(.postJSON(url: url, headers: endpoint.authorization, body: body))
        let host = RequestTarget(url: url).host
        let answer = try ProviderJSON.decode(Answer.self, from: response.body, host: host, what: "embeddings response")
        return try Self.ordered(answer.data, count: texts.count, host: host)
    }

    /// The vectors in input order: sorted by `index` when every item has one (the API does not promise
    /// order), otherwise as listed. Indexes must be exactly 0..<count.
    static func ordered(_ items: [Item], count: Int, host: String) throws(ProviderError) -> [[Float]] {
        guard items.count == count else {
            throw ProviderError(.unavailable, "\(host) returned \(items.count) embeddings for \(count) inputs")
        }
        let indexes = items.compactMap(\.index)
        guard indexes.count == items.count else { return items.map(\.embedding) }
        guard indexes.sorted() == Array(0..<count) else {
            throw ProviderError(.unavailable, "\(host) returned embeddings with inconsistent indexes")
        }
        return items.sorted { ($0.index ?? 0) < ($1.index ?? 0) }.map(\.embedding)
    }

    private struct Body: Encodable {
        var model: String
        var input: [String]
        var encodingFormat: String
        var dimensions: Int?

        enum CodingKeys: String, CodingKey {
            case model, input, dimensions
            case encodingFormat = "encoding_format"
        }
    }

    private struct Answer: Decodable {
        var data: [Item]
    }

    struct Item: Decodable {
        var index: Int?
        var embedding: [Float]
    }
}
