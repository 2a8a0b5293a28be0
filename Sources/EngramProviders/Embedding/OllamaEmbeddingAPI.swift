import EngramCore
import Foundation

/// Ollama's native `POST /api/embed`: `{"model", "input": [...]}` answered with `{"embeddings": [[...]]}`.
struct OllamaEmbeddingAPI: EmbeddingAPI {
    let provider = "ollama"
    let model: String
    /// The server root, e.g. `http://localhost:11434`.
    let baseURL: String
    let client: HTTPClient
    /// A local model works through a batch on one machine; 100 keeps each call well inside the timeout.
    let maxBatchSize = 100

    func embed(_ texts: [String]) throws(ProviderError) -> [[Float]] {
        let url = "\(baseURL.trimmingTrailingSlashes)/api/embed"
        let body = try ProviderJSON.encode(Body(model: model, input: texts))
        let response = try client.send(.postJSON(url: url, body: body))
        let host = RequestTarget(url: url).host
        let answer = try ProviderJSON.decode(Answer.self, from: response.body, host: host, what: "embed response")
        guard answer.embeddings.count == texts.count else {
            throw ProviderError(.unavailable, "\(host) returned \(answer.embeddings.count) embeddings for \(texts.count) inputs")
        }
        return answer.embeddings
    }

    private struct Body: Encodable {
        var model: String
        var input: [String]
    }

    private struct Answer: Decodable {
        var embeddings: [[Float]]
    }
}
