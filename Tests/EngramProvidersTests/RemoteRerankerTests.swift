import EngramCore
import EngramTestSupport
import Foundation
import Testing
@testable import EngramProviders

/// One remote rerank provider as the tests drive it: where it is called, how its request and answer
/// look, and how to build a reranker on the fake server.
struct RerankProvider: Sendable, CustomTestStringConvertible {
    enum Name: String, Sendable { case cohere, jina, voyage, tei }

    let name: Name
    var testDescription: String { name.rawValue }

    static let all = [Name.cohere, .jina, .voyage, .tei].map(RerankProvider.init)

    /// The path calls arrive on.
    var path: String { name == .tei ? FakeProviderServer.Path.teiRerank : FakeProviderServer.Path.rerank }
    /// The request field holding the documents.
    var documentsField: String { name == .tei ? "texts" : "documents" }
    /// The request field asking for a number of results, if the API has one.
    var limitField: String? {
        switch name {
        case .cohere, .jina: "top_n"
        case .voyage: "top_k"
        case .tei: nil
        }
    }
    var model: String {
        switch name {
        case .cohere: "rerank-v3.5"
        case .jina: "jina-reranker-v2-base-multilingual"
        case .voyage: "rerank-2.5"
        case .tei: "BAAI/bge-reranker-base"
        }
    }
    static let key = "sk-rerank-secret"

    /// A well-behaved answer to any request.
    var reply: FakeProviderServer.Reply {
        switch name {
        case .cohere, .jina: .cohereRerank()
        case .voyage: .voyageRerank()
        case .tei: .teiRerank()
        }
    }

    /// A reranker on `fake`, with the model configured (for TEI: only when `withModel`).
    func reranker(_ fake: FakeProviderServer, client: HTTPClient = TestClients.client(), withModel: Bool = true) -> RemoteReranker {
        switch name {
        case .cohere: .cohere(model: model, baseURL: fake.baseURL, apiKey: Self.key, client: client)
        case .jina: .jina(model: model, baseURL: fake.baseURL, apiKey: Self.key, client: client)
        case .voyage: .voyage(model: model, baseURL: fake.baseURL, apiKey: Self.key, client: client)
        case .tei: .tei(model: withModel ? model : nil, baseURL: fake.baseURL, apiKey: Self.key, client: client)
        }
    }

    /// An answer in this provider's shape listing `entries` as given: each an index and a score
    /// written as raw JSON (`0.5`, `"high"`, `null`, `1e999`).
    func answer(_ entries: [(index: Int, score: String)]) -> FakeProviderServer.Reply {
        let scoreField = name == .tei ? "score" : "relevance_score"
        let list = "[" + entries.map { #"{"index": \#($0.index), "\#(scoreField)": \#($0.score)}"# }.joined(separator: ", ") + "]"
        switch name {
        case .cohere, .jina: return .json(#"{"id": "r", "results": \#(list)}"#)
        case .voyage: return .json(#"{"object": "list", "data": \#(list), "model": "m"}"#)
        case .tei: return .json(list)
        }
    }

    /// An answer that is valid JSON in another provider's shape.
    var wrongShape: FakeProviderServer.Reply {
        switch name {
        case .cohere, .jina: .json(#"{"data": [{"index": 0, "relevance_score": 0.5}]}"#)
        case .voyage: .json(#"{"results": [{"index": 0, "relevance_score": 0.5}]}"#)
        case .tei: .json(#"{"results": [{"index": 0, "score": 0.5}]}"#)
        }
    }
}

/// The Cohere, Jina, Voyage AI and TEI rerankers through libcurl against the fake server.
@Suite("Remote rerankers")
struct RemoteRerankerTests {
    private let query = "Where does the user live?"
    private let documents = ["Lives in Lisbon", "Likes green tea", "Works as a nurse", "Moved to Porto in 2023", "Has a cat"]

    private func expected(_ documents: [String]) -> [Double] {
        documents.map { FakeProviderServer.relevance(of: $0, to: query) }
    }

    /// The error thrown by `body`, checked to be `provider_unavailable` from the fake's host and to
    /// keep the key out of its message.
    private func unavailable(_ fake: FakeProviderServer, _ body: () throws -> Void) -> ProviderError? {
        let error = #expect(throws: ProviderError.self) { try body() }
        #expect(error?.code == .unavailable)
        #expect(error?.message.hasPrefix("127.0.0.1:\(fake.port) ") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(RerankProvider.key) == false)
        return error
    }

    @Test("sends the provider's path, bearer key, model, query, documents and result count", arguments: RerankProvider.all)
    func requestShape(provider: RerankProvider) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(provider.reply, on: provider.path)
            let reranker = provider.reranker(fake)
            #expect(reranker.modelID == "\(provider.name.rawValue)/\(provider.model)")
            _ = try reranker.scores(query: query, documents: documents)
            let sent = try #require(fake.requests.first)
            #expect(fake.requests.count == 1)
            #expect(sent.method == "POST")
            #expect(sent.path == provider.path)
            #expect(sent.header("Authorization") == "Bearer \(RerankProvider.key)")
            #expect(sent.header("Content-Type") == "application/json")
            let body = sent.json
            #expect(body["model"] as? String == provider.model)
            #expect(body["query"] as? String == query)
            #expect(body[provider.documentsField] as? [String] == documents)
            if let limit = provider.limitField {
                #expect(body[limit] as? Int == documents.count)
                #expect(body["return_documents"] as? Bool == false)
            } else {
                #expect(body["return_text"] as? Bool == false)
                #expect(body["truncate"] as? Bool == true)
            }
            let fields: Set<String> = provider.name == .tei
                ? ["model", "query", "texts", "return_text", "truncate"]
                : ["model", "query", "documents", provider.limitField ?? "", "return_documents"]
            #expect(Set(body.keys) == fields)
        }
    }

    @Test("maps answers listed best first back to document order", arguments: RerankProvider.all)
    func documentOrder(provider: RerankProvider) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(provider.reply, on: provider.path)
            let scores = try provider.reranker(fake).scores(query: query, documents: documents)
            #expect(scores == expected(documents))
            // The fake lists entries by score; this checks that order differs from document order.
            #expect(scores != scores.sorted(by: >))
        }
    }

    @Test("reads a shuffled scripted answer by index", arguments: RerankProvider.all)
    func scriptedOrder(provider: RerankProvider) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(provider.answer([(2, "0.9"), (0, "0.25"), (1, "-3.5")]), on: provider.path)
            let scores = try provider.reranker(fake).scores(query: query, documents: ["a", "b", "c"])
            #expect(scores == [0.25, -3.5, 0.9])
        }
    }

    @Test("TEI sends no model unless one is configured, and no Authorization without a key")
    func teiOptionalFields() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.teiRerank(), on: FakeProviderServer.Path.teiRerank)
            let reranker = RemoteReranker.tei(model: nil, baseURL: fake.baseURL + "/", apiKey: nil, client: TestClients.client())
            #expect(reranker.modelID == "tei/default")
            let scores = try reranker.scores(query: query, documents: documents)
            #expect(scores == expected(documents))
            let sent = try #require(fake.requests.first)
            #expect(sent.path == "/rerank")
            #expect(sent.json["model"] == nil)
            #expect(sent.header("Authorization") == nil)
        }
    }

    @Test("answers no documents with no scores and no call", arguments: RerankProvider.all)
    func noDocuments(provider: RerankProvider) throws {
        try FakeProviderServer.run { fake in
            let scores = try provider.reranker(fake).scores(query: query, documents: [])
            #expect(scores.isEmpty)
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("splits large calls at the provider's batch size and keeps document order", arguments: [
        (RerankProvider(name: .cohere), 2500, [1000, 1000, 500]),
        (RerankProvider(name: .voyage), 1001, [1000, 1]),
        (RerankProvider(name: .tei), 70, [32, 32, 6]),
    ])
    func batching(provider: RerankProvider, count: Int, calls: [Int]) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(provider.reply, on: provider.path)
            let many = (0..<count).map { "memory number \($0)" }
            let scores = try provider.reranker(fake).scores(query: query, documents: many)
            let sent = fake.requests(on: provider.path)
            #expect(sent.map { ($0.json[provider.documentsField] as? [String])?.count } == calls)
            if let limit = provider.limitField {
                #expect(sent.map { $0.json[limit] as? Int } == calls)
            }
            #expect(scores == expected(many))
        }
    }

    @Test("sends an empty query or document as one space")
    func emptyTexts() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.cohereRerank(), on: FakeProviderServer.Path.rerank)
            _ = try RerankProvider(name: .cohere).reranker(fake).scores(query: "", documents: ["", "tea"])
            let body = try #require(fake.requests.first).json
            #expect(body["query"] as? String == " ")
            #expect(body["documents"] as? [String] == [" ", "tea"])
        }
    }

    @Test("calls /v1/rerank on a root given with or without /v1 and trailing slashes", arguments: ["", "/", "/v1", "/v1/", "//"])
    func versionedRoot(suffix: String) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.voyageRerank(), on: FakeProviderServer.Path.rerank)
            let reranker = RemoteReranker.voyage(model: "rerank-2.5", baseURL: fake.baseURL + suffix, apiKey: "k", client: TestClients.client())
            let scores = try reranker.scores(query: query, documents: documents)
            #expect(scores == expected(documents))
            #expect(fake.requests.map(\.path) == ["/v1/rerank"])
        }
    }

    @Test("maps a refused key to provider_auth_failed", arguments: RerankProvider.all, [401, 403])
    func authFailed(provider: RerankProvider, status: Int) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.error(status: status, message: "invalid api token"), on: provider.path)
            let error = #expect(throws: ProviderError.self) { try provider.reranker(fake).scores(query: query, documents: documents) }
            #expect(error?.code == .authFailed)
            #expect(fake.requests.count == 1)
        }
    }

    @Test("maps a 400 to provider_bad_request without retrying", arguments: RerankProvider.all)
    func badRequest(provider: RerankProvider) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.error(status: 400, message: "model not found"), on: provider.path)
            let error = #expect(throws: ProviderError.self) { try provider.reranker(fake).scores(query: query, documents: documents) }
            #expect(error?.code == .badRequest)
            #expect(error?.message.contains("model not found") == false)
            #expect(fake.requests.count == 1)
        }
    }

    @Test("retries a 429 and uses the answer that follows", arguments: RerankProvider.all)
    func retriesRateLimit(provider: RerankProvider) throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.rateLimited(retryAfter: "0"), on: provider.path)
            fake.setFallback(provider.reply, on: provider.path)
            let scores = try provider.reranker(fake).scores(query: query, documents: documents)
            #expect(scores == expected(documents))
            #expect(fake.requests.count == 2)
        }
    }

    @Test("gives up on 5xx after the retries as provider_unavailable", arguments: RerankProvider.all)
    func serverErrors(provider: RerankProvider) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.status(503, body: "overloaded"), on: provider.path)
            let reranker = provider.reranker(fake, client: TestClients.client(maxRetries: 2))
            _ = unavailable(fake) { _ = try reranker.scores(query: query, documents: documents) }
            #expect(fake.requests.count == 3)
        }
    }

    @Test("times out within the configured timeout when the server stalls", arguments: RerankProvider.all)
    func timeout(provider: RerankProvider) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(provider.reply.delayed(by: .seconds(5)), on: provider.path)
            let reranker = provider.reranker(fake, client: TestClients.client(timeout: .milliseconds(300), maxRetries: 0))
            let clock = ContinuousClock()
            let start = clock.now
            let error = #expect(throws: ProviderError.self) { try reranker.scores(query: query, documents: documents) }
            #expect(error?.code == .timeout)
            #expect(clock.now - start < .seconds(2))
        }
    }

    @Test("refuses malformed JSON and answers of another shape", arguments: RerankProvider.all)
    func malformed(provider: RerankProvider) throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.json(#"{"results": [{"index": 0, "relevance_score": 0.5"#), provider.wrongShape, .json("[]x"), on: provider.path)
            let reranker = provider.reranker(fake, client: TestClients.client(maxRetries: 0))
            for _ in 0..<3 {
                let error = unavailable(fake) { _ = try reranker.scores(query: query, documents: ["a"]) }
                #expect(error?.message == "127.0.0.1:\(fake.port) returned a malformed rerank response")
            }
        }
    }

    /// An answer to three documents that scores them other than once each, and the complaint about it.
    struct Flaw: Sendable, CustomTestStringConvertible {
        var entries: [(index: Int, score: String)]
        var problem: String
        var testDescription: String { problem }
    }

    @Test("refuses an answer that does not score every document exactly once", arguments: RerankProvider.all, [
        Flaw(entries: [(0, "0.1"), (1, "0.2")], problem: "returned 2 scores for 3 documents"),
        Flaw(entries: [(0, "0.1"), (1, "0.2"), (2, "0.3"), (0, "0.4")], problem: "returned 4 scores for 3 documents"),
        Flaw(entries: [(0, "0.1"), (1, "0.2"), (1, "0.3")], problem: "returned document 1 more than once"),
        Flaw(entries: [(0, "0.1"), (1, "0.2"), (3, "0.3")], problem: "returned a score for document 3 of 3"),
        Flaw(entries: [(0, "0.1"), (-1, "0.2"), (2, "0.3")], problem: "returned a score for document -1 of 3"),
    ])
    func incomplete(provider: RerankProvider, flaw: Flaw) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(provider.answer(flaw.entries), on: provider.path)
            let error = unavailable(fake) { _ = try provider.reranker(fake).scores(query: query, documents: ["a", "b", "c"]) }
            #expect(error?.message == "127.0.0.1:\(fake.port) \(flaw.problem)")
        }
    }

    @Test("refuses scores that are not finite numbers", arguments: RerankProvider.all, [#""high""#, "null", "true", "1e999", "-1e999"])
    func badScore(provider: RerankProvider, score: String) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(provider.answer([(0, "0.1"), (1, score)]), on: provider.path)
            let error = unavailable(fake) { _ = try provider.reranker(fake).scores(query: query, documents: ["a", "b"]) }
            #expect(error?.message.hasSuffix("a malformed rerank response") == true || error?.message.hasSuffix("not a finite number") == true)
        }
    }

    @Test("fails the whole call when one batch's answer is incomplete")
    func noPartialRanking() throws {
        try FakeProviderServer.run { fake in
            let provider = RerankProvider(name: .tei)
            fake.enqueue(.teiRerank(), provider.answer([(0, "0.5")]), on: provider.path)
            let many = (0..<40).map { "memory \($0)" }
            _ = unavailable(fake) { _ = try provider.reranker(fake).scores(query: query, documents: many) }
            #expect(fake.requests.count == 2)
        }
    }

    @Test("orders entries by index and refuses NaN and infinities without a server")
    func documentOrderRules() throws {
        let order = try RankedDocument.documentOrder(
            [RankedDocument(index: 1, score: 2), RankedDocument(index: 0, score: 1)], count: 2, host: "h")
        #expect(order == [1, 2])
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(throws: ProviderError(.unavailable, "h returned a score that is not a finite number")) {
                try RankedDocument.documentOrder([RankedDocument(index: 0, score: bad)], count: 1, host: "h")
            }
        }
        let none = try RankedDocument.documentOrder([], count: 0, host: "h")
        #expect(none.isEmpty)
    }
}
