import EngramCore
import Foundation

/// A `Reranker` backed by a provider's rerank API: Cohere, Jina and Voyage AI (`/v1/rerank`), or a
/// Hugging Face Text Embeddings Inference server (`/rerank`).
///
/// - Documents go out in calls of at most the provider's batch size (1,000 for the hosted APIs, 32
///   for TEI, its default client batch limit), each asking for a score for every document it
///   carries. Cross-encoder scores are computed per query–document pair, so scores from different
///   calls of one request compare like scores from one call.
/// - Every answer must score each of its documents exactly once, with finite numbers; otherwise the
///   whole call is `provider_unavailable`, never a partial ranking. The scores come back in document
///   order whatever order the provider listed them in.
/// - An empty text (query or document) is sent as one space, since the APIs refuse empty strings;
///   an empty list of documents is answered with no scores and no call.
public final class RemoteReranker: Reranker {
    /// `provider/model`, e.g. `cohere/rerank-v3.5`.
    public let modelID: String
    let api: any RerankAPI

    init(api: any RerankAPI) {
        self.api = api
        self.modelID = "\(api.provider)/\(api.model)"
    }

    /// A reranker on Cohere's API under `baseURL` (its root, e.g. `https://api.cohere.com`).
    public static func cohere(model: String, baseURL: String, apiKey: String, client: HTTPClient) -> RemoteReranker {
        RemoteReranker(api: CohereRerankAPI(
            provider: "cohere", model: model, endpoint: .versioned(root: baseURL, apiKey: apiKey), client: client))
    }

    /// A reranker on Jina AI's API under `baseURL` (its root, e.g. `https://api.jina.ai`).
    public static func jina(model: String, baseURL: String, apiKey: String, client: HTTPClient) -> RemoteReranker {
        RemoteReranker(api: CohereRerankAPI(
            provider: "jina", model: model, endpoint: .versioned(root: baseURL, apiKey: apiKey), client: client))
    }

    /// A reranker on Voyage AI's API under `baseURL` (its root, e.g. `https://api.voyageai.com`).
    public static func voyage(model: String, baseURL: String, apiKey: String, client: HTTPClient) -> RemoteReranker {
        RemoteReranker(api: VoyageRerankAPI(model: model, endpoint: .versioned(root: baseURL, apiKey: apiKey), client: client))
    }

    /// A reranker on a Text Embeddings Inference server at `baseURL` (e.g. `http://localhost:8080`);
    /// `model` is sent only when given, and `apiKey` as a bearer token only when given.
    public static func tei(model: String?, baseURL: String, apiKey: String?, client: HTTPClient) -> RemoteReranker {
        RemoteReranker(api: TEIRerankAPI(servedModel: model, endpoint: .unversioned(root: baseURL, apiKey: apiKey), client: client))
    }

    /// One score per document, element `i` for `documents[i]`, fetched in calls of at most the
    /// provider's batch size.
    public func scores(query: String, documents: [String]) throws(ProviderError) -> [Double] {
        var scores: [Double] = []
        scores.reserveCapacity(documents.count)
        let query = Self.prepare(query)
        var start = 0
        while start < documents.count {
            let end = min(start + max(1, api.maxBatchSize), documents.count)
            let batch = documents[start..<end].map(Self.prepare)
            let entries = try api.rank(query: query, documents: batch)
            scores += try RankedDocument.documentOrder(entries, count: batch.count, host: api.endpoint.host)
            start = end
        }
        return scores
    }

    /// The text as sent: never empty.
    static func prepare(_ text: String) -> String {
        text.isEmpty ? " " : text
    }
}
