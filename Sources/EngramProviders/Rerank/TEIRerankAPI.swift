import EngramCore
import Foundation

/// Hugging Face Text Embeddings Inference's `POST /rerank`: `{"query", "texts", "return_text",
/// "truncate"}` (plus `model` when one is configured) answered with a JSON array `[{"index",
/// "score"}, ...]`, best first.
///
/// `return_text: false` keeps the texts out of the answer; `truncate: true` cuts a text longer than
/// the model's window instead of failing the whole call. Scores are TEI's default, squashed into
/// (0, 1) (`raw_scores` is left unset). TEI serves one model and ignores `model`, so it is sent only
/// when configured, for servers in front of several.
struct TEIRerankAPI: RerankAPI {
    let provider = "tei"
    /// The configured model, sent as `model`; nil sends none.
    let servedModel: String?
    let endpoint: RerankEndpoint
    let client: HTTPClient
    /// TEI refuses more inputs per request than its `--max-client-batch-size`, 32 unless the server
    /// was started with another.
    let maxBatchSize = 32

    /// The configured model, or `default` for the one the server serves.
    var model: String { servedModel ?? "default" }

    func rank(query: String, documents: [String]) throws(ProviderError) -> [RankedDocument] {
        let answer = try endpoint.post(Body(model: servedModel, query: query, texts: documents, returnText: false, truncate: true), through: client, answer: [Entry].self)
        return answer.map { RankedDocument(index: $0.index, score: $0.score) }
    }

    private struct Body: Encodable {
        /// Left out of the JSON when nil.
        var model: String?
        var query: String
        var texts: [String]
        var returnText: Bool
        var truncate: Bool

        enum CodingKeys: String, CodingKey {
            case model, query, texts, truncate
            case returnText = "return_text"
        }
    }

    private struct Entry: Decodable {
        var index: Int
        var score: Double
    }
}
