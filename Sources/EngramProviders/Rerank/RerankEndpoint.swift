import EngramCore

/// Where a rerank API lives and the key it is called with.
///
/// Cohere, Jina and Voyage serve `POST {root}/v1/rerank`; a root given with its `/v1` already
/// (`https://api.cohere.com/v1`) reaches the same URL, and trailing slashes are dropped. Text
/// Embeddings Inference serves `POST {root}/rerank`.
struct RerankEndpoint: Sendable, Equatable {
    /// The absolute URL of the rerank operation.
    let url: String
    /// Sent as `Authorization: Bearer <key>`; nil or empty sends no such header.
    let apiKey: String?

    /// `{root}/v1/rerank`, with a root that already ends in `/v1` not doubled.
    static func versioned(root: String, apiKey: String?) -> RerankEndpoint {
        var base = root.trimmingTrailingSlashes
        if base.hasSuffix("/v1") { base = String(base.dropLast(3)) }
        return RerankEndpoint(url: "\(base)/v1/rerank", apiKey: apiKey)
    }

    /// `{root}/rerank`.
    static func unversioned(root: String, apiKey: String?) -> RerankEndpoint {
        RerankEndpoint(url: "\(root.trimmingTrailingSlashes)/rerank", apiKey: apiKey)
    }

    /// The host (with any port) for logs and error messages.
    var host: String { RequestTarget(url: url).host }

    /// The header carrying the key, if there is a key.
    var authorization: [(name: String, value: String)] {
        guard let apiKey, !apiKey.isEmpty else { return [] }
        return [("Authorization", "Bearer \(apiKey)")]
    }

    /// Posts `body` as JSON through `client` and decodes the answer as `Answer`: the one call every
    /// rerank API makes.
    func post<Body: Encodable, Answer: Decodable>(
        _ body: Body, through client: HTTPClient, answer: Answer.Type
    ) throws(ProviderError) -> Answer {
        let data = try ProviderJSON.encode(body)
        let response = try client.send(.postJSON(url: url, headers: authorization, body: data))
        return try ProviderJSON.decode(answer, from: response.body, host: host, what: "rerank response")
    }
}
