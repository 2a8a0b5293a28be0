import Foundation

extension FakeProviderServer.Path {
    /// Cohere's, Jina's and Voyage AI's rerank API under `baseURL`.
    public static let rerank = "/v1/rerank"
    /// Text Embeddings Inference's rerank route under `baseURL`.
    public static let teiRerank = "/rerank"
}

extension FakeProviderServer.Reply {
    /// A Cohere (or Jina) rerank answer for the request's `query` and `documents`: `{"results":
    /// [{"index", "relevance_score"}]}` best first, as the API lists them, cut to `top_n` when sent.
    /// Each score is `FakeProviderServer.relevance(of:to:)`.
    public static func cohereRerank() -> Self {
        .dynamic { request in
            let entries = FakeProviderServer.rankedEntries(request, texts: "documents", limit: "top_n", score: "relevance_score")
            return json(object: ["id": "rerank-fake", "results": entries, "meta": ["billed_units": ["search_units": 1]]])
        }
    }

    /// A Voyage AI rerank answer: `{"object": "list", "data": [{"index", "relevance_score"}]}` best
    /// first, cut to `top_k` when sent.
    public static func voyageRerank() -> Self {
        .dynamic { request in
            let entries = FakeProviderServer.rankedEntries(request, texts: "documents", limit: "top_k", score: "relevance_score")
            return json(object: ["object": "list", "data": entries, "model": "fake-reranker", "usage": ["total_tokens": 10]])
        }
    }

    /// A Text Embeddings Inference rerank answer for the request's `query` and `texts`: a JSON array
    /// `[{"index", "score"}]` best first.
    public static func teiRerank() -> Self {
        .dynamic { request in
            json(object: FakeProviderServer.rankedEntries(request, texts: "texts", limit: nil, score: "score"))
        }
    }
}

extension FakeProviderServer {
    /// A deterministic score in (0, 1) for `document` against `query`, from a hash of both, so
    /// documents sorted by it come out in an order unrelated to their positions.
    public static func relevance(of document: String, to query: String) -> Double {
        // FNV-1a over query, a separator and document.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in query.utf8 + [0] + document.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Double(hash % 999_983 + 1) / 1_000_000
    }

    /// The request's texts (under `texts`) scored against its `query`, best first, cut to the count
    /// under `limit` when the request sets one.
    static func rankedEntries(_ request: RecordedRequest, texts key: String, limit: String?, score: String) -> [[String: Any]] {
        let body = request.json
        let query = body["query"] as? String ?? ""
        let texts = (body[key] as? [Any] ?? []).map { $0 as? String ?? "" }
        var entries = texts.enumerated().map { index, text in (index, relevance(of: text, to: query)) }
        entries.sort { $0.1 > $1.1 }
        if let limit, let count = body[limit] as? Int { entries = Array(entries.prefix(count)) }
        return entries.map { ["index": $0.0, score: $0.1] }
    }
}
