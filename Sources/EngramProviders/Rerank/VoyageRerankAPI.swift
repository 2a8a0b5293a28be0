import EngramCore
import Foundation

/// Voyage AI's `POST /v1/rerank`: `{"query", "documents", "model", "top_k", "return_documents"}`
/// answered with `{"object": "list", "data": [{"index", "relevance_score"}, ...], ...}`, best first.
///
/// `top_k` asks for every document sent; `return_documents: false` (Voyage's default, sent anyway)
/// keeps the texts out of the answer. Voyage truncates over-long documents itself (`truncation`
/// defaults to true).
struct VoyageRerankAPI: RerankAPI {
    let provider = "voyage"
    let model: String
    let endpoint: RerankEndpoint
    let client: HTTPClient
    /// Voyage refuses more than 1,000 documents in one request.
    let maxBatchSize = 1000

    func rank(query: String, documents: [String]) throws(ProviderError) -> [RankedDocument] {
        let answer = try endpoint.post(Body(query: query, documents: documents, model: model, topK: documents.count, returnDocuments: false), through: client, answer: Answer.self)
        return answer.data.map(\.ranked)
    }

    private struct Body: Encodable {
        var query: String
        var documents: [String]
        var model: String
        var topK: Int
        var returnDocuments: Bool

        enum CodingKeys: String, CodingKey {
            case query, documents, model
            case topK = "top_k"
            case returnDocuments = "return_documents"
        }
    }

    private struct Answer: Decodable {
        var data: [RelevanceEntry]
    }
}
