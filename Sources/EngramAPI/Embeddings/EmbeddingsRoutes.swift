import EngramCore
import EngramHTTP

/// `POST /v1/embeddings`: OpenAI's embeddings endpoint over Engram's embedder, so other tools can
/// share it. Embedding runs on the worker thread that serves the request.
enum EmbeddingsRoutes {
    /// Limits of the route.
    struct Limits: Sendable {
        /// The most texts one request may embed (OpenAI's own limit).
        var maxInputs = 2048
    }

    static func register(on router: inout Router, embedder: any Embedder, limits: Limits = Limits()) {
        router.add(.post, "/v1/embeddings") { request in
            let body = try EmbeddingsRequest(
                body: request.body, modelID: embedder.modelID, dimension: embedder.dimension,
                maxInputs: limits.maxInputs
            )
            let vectors = try embedder.embed(batch: body.inputs)
            let tokens = body.inputs.reduce(0) { $0 + embedder.tokenCount(of: $1) }
            return .json(EmbeddingsResponse(
                data: vectors.enumerated().map { index, vector in
                    .init(index: index, embedding: .init(vector, format: body.encodingFormat))
                },
                model: embedder.modelID,
                usage: .init(promptTokens: tokens, totalTokens: tokens)
            ))
        }
    }
}
