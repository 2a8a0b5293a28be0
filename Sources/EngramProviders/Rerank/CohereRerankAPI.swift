import EngramCore
import Foundation

/// Cohere's `POST /v1/rerank`, which Jina's API copies: `{"model", "query", "documents", "top_n",
/// "return_documents"}` answered with `{"results": [{"index", "relevance_score"}, ...]}`, best first.
///
/// `top_n` asks for every document sent, and `return_documents: false` keeps the texts out of the
/// answer (Cohere's default; Jina's default is to echo them).
struct CohereRerankAPI: RerankAPI {
    /// `cohere` or `jina`.
    let provider: String
    let model: String
    let endpoint: RerankEndpoint
    let client: HTTPClient
    /// Cohere advises at most 1,000 documents per request; Jina documents no limit, and gets the same.
    let maxBatchSize = 1000

    func rank(query: String, documents: [String]) throws(ProviderError) -> [RankedDocument] {
        let answer = try endpoint.post(Body(model: model, query: query, documents: documents, topN: documents.count, returnDocuments: false), through: client, answer: Answer.self)
        return answer.results.map(\.ranked)
    }

    private struct Body: Encodable {
        var model: String
        var query: String
        var documents: [String]
        var topN: Int
        var returnDocuments: Bool

        enum CodingKeys: String, CodingKey {
            case model, query, documents
            case topN = "top_n"
            case returnDocuments = "return_documents"
        }
    }

    private struct Answer: Decodable {
        var results: [RelevanceEntry]
    }
}
