import EngramCore
import EngramProviders
import EngramTestSupport
import Foundation
import Logging
import Testing

/// `rerank: true` end to end: the real API over HTTP and a real SQLite file, with the `llm` reranker
/// scoring through the real libcurl OpenAI client in front of a scripted fake model on 127.0.0.1.
@Suite("Reranked search", .serialized)
struct RerankTests {
    static let chatPath = FakeProviderServer.Path.openAIChat

    static let facts = [
        "Alice drinks green tea every morning.", "Alice's tea kettle is blue.", "Alice climbs on Saturdays.",
        "Alice is learning Portuguese.", "Bob drinks tea with lemon.",
    ]

    static func run<T>(_ body: (APIHarness, FakeProviderServer) throws -> T) throws -> T {
        var logger = Logger(label: "test.providers")
        logger.logLevel = .critical
        return try FakeProviderServer.run { fake in
            let factory = RemoteProviderFactory(logger: logger)
            let chat = try factory.chatModel(ProviderSettings(
                provider: "openai", model: "judge", baseURL: fake.openAIBaseURL, apiKey: "sk-test", timeout: 3, maxRetries: 0))
            return try APIHarness.run(chatModel: chat, factory: factory) { api in try body(api, fake) }
        }
    }

    /// The numbered memories of the reranking prompt the fake received, by index.
    static func candidates(_ request: FakeProviderServer.RecordedRequest) -> [Int: String] {
        let messages = request.json["messages"] as? [[String: Any]] ?? []
        let prompt = messages.last { $0["role"] as? String == "user" }?["content"] as? String ?? ""
        var result: [Int: String] = [:]
        for line in prompt.split(separator: "\n") where line.hasPrefix("[") {
            guard let close = line.firstIndex(of: "]"), let index = Int(line[line.index(after: line.startIndex)..<close]) else { continue }
            result[index] = String(line[line.index(close, offsetBy: 2)...])
        }
        return result
    }

    /// A judge that scores each candidate by `score(text)`, as the model would answer.
    static func judge(_ score: @escaping @Sendable (String) -> Double) -> FakeProviderServer.Reply {
        .dynamic { request in
            let entries = candidates(request).sorted { $0.key < $1.key }.map { #"{"index": \#($0.key), "score": \#(score($0.value))}"# }
            return .openAIChat(content: #"Here you go: {"scores": [\#(entries.joined(separator: ", "))]}"#)
        }
    }

    static func search(_ api: APIHarness, _ extra: String = "") throws -> RawClient.Response {
        try api.call("POST", "/search", #"{"query": "what does alice drink", "user_id": "alice", "threshold": 0\#(extra)}"#)
    }

    @Test("rerank without a reranker is a 400 that says how to configure one")
    func refusedWithoutReranker() throws {
        try Self.run { api, fake in
            try api.remember(Self.facts)
            let response = try Self.search(api, #", "rerank": true"#)
            #expect(response.status == 400)
            #expect(response.text.contains("no reranker is configured"))
            let platform = try api.call("POST", "/v2/memories/search/", #"{"query": "tea", "filters": {"user_id": "alice"}, "rerank": true}"#)
            #expect(platform.status == 400, "\(platform.text)")
            #expect(try Self.search(api, #", "rerank": false"#).status == 200)
            #expect(fake.requests(on: Self.chatPath).isEmpty)
        }
    }

    @Test("the llm reranker reorders the scope's candidates, with its score in explain and as the score")
    func llmReorders() throws {
        try Self.run { api, fake in
            try api.remember(Self.facts.filter { $0.hasPrefix("Alice") })
            try api.remember(["Bob drinks tea with lemon."], scope: #""user_id": "bob""#)
            #expect(try api.call("POST", "/configure", #"{"reranker": {"provider": "llm"}}"#).status == 200)
            let configured = try api.call("GET", "/configure").object["reranker"] as? [String: Any]
            #expect(configured?["provider"] as? String == "llm")

            // The judge prefers Portuguese, then climbing: the opposite of what the query would rank.
            fake.setFallback(Self.judge { $0.contains("Portuguese") ? 9 : $0.contains("climbs") ? 6 : 1 }, on: Self.chatPath)
            let response = try Self.search(api, #", "rerank": true, "explain": true, "top_k": 3"#)
            #expect(response.status == 200, "\(response.text)")
            let texts = response.results.compactMap { $0["memory"] as? String }
            #expect(texts.count == 3)
            #expect(texts.prefix(2) == ["Alice is learning Portuguese.", "Alice climbs on Saturdays."])
            let first = try #require(response.results.first)
            #expect(first["score"] as? Double == 0.9)
            let details = try #require(first["score_details"] as? [String: Any])
            #expect(details["rerank_score"] as? Double == 0.9)
            #expect(details["semantic_score"] != nil)
            #expect(response.object["warnings"] == nil)

            // The judge saw every candidate of alice's (top_n 50 > 4), none of bob's, and never a key.
            let seen = Self.candidates(try #require(fake.requests(on: Self.chatPath).last))
            #expect(Set(seen.values) == Set(Self.facts.filter { $0.hasPrefix("Alice") }))
        }
    }

    @Test("top_n bounds what the reranker reads, and never below top_k")
    func topN() throws {
        try Self.run { api, fake in
            try api.remember(Self.facts.filter { $0.hasPrefix("Alice") })
            #expect(try api.call("POST", "/configure", #"{"reranker": {"provider": "llm", "config": {"top_n": 2}}}"#).status == 200)
            fake.setFallback(Self.judge { _ in 5 }, on: Self.chatPath)
            #expect(try Self.search(api, #", "rerank": true, "top_k": 1"#).results.count == 1)
            #expect(Self.candidates(try #require(fake.requests(on: Self.chatPath).last)).count == 2)
            #expect(try Self.search(api, #", "rerank": true, "top_k": 3"#).results.count == 3)
            #expect(Self.candidates(try #require(fake.requests(on: Self.chatPath).last)).count == 3)
            #expect(try Self.search(api, #", "rerank": true, "top_k": 1, "top_n": 4"#).results.count == 1)
            #expect(Self.candidates(try #require(fake.requests(on: Self.chatPath).last)).count == 4)
            for (bad, status) in [("0", 400), ("5000", 400), ("\"3\"", 422), ("1.5", 422)] {
                #expect(try Self.search(api, #", "rerank": true, "top_n": \#(bad)"#).status == status, "top_n \(bad)")
            }
            // Filters narrow the candidates before the reranker reads them.
            try api.remember(["Alice keeps her tea in a tin."], metadata: #"{"room": "kitchen"}"#)
            let filtered = try api.call(
                "POST", "/search", #"{"query": "tea", "filters": {"user_id": "alice", "room": "kitchen"}, "rerank": true}"#)
            #expect(filtered.status == 200, "\(filtered.text)")
            #expect(Array(Self.candidates(try #require(fake.requests(on: Self.chatPath).last)).values) == ["Alice keeps her tea in a tin."])
        }
    }

    @Test("a reranker that fails or answers nonsense leaves the fused order, with a warning")
    func failureKeepsFusedOrder() throws {
        try Self.run { api, fake in
            try api.remember(Self.facts.filter { $0.hasPrefix("Alice") })
            #expect(try api.call("POST", "/configure", #"{"reranker": {"provider": "llm"}}"#).status == 200)
            let fused = try Self.search(api).results.compactMap { $0["id"] as? String }
            for reply in [
                FakeProviderServer.Reply.error(status: 500, message: "down", type: "server_error"),
                .openAIChat(content: "I would rather not."),
                .openAIChat(content: #"{"scores": [{"index": 99, "score": 3}, {"index": "0", "score": 1}]}"#),
                .error(status: 401, message: "bad key", type: "auth"),
            ] {
                fake.enqueue(reply, on: Self.chatPath)
                let response = try Self.search(api, #", "rerank": true"#)
                #expect(response.status == 200)
                #expect(response.results.compactMap { $0["id"] as? String } == fused)
                let warnings = response.object["warnings"] as? [String] ?? []
                #expect(warnings.count == 1)
                #expect(warnings.first?.hasPrefix("rerank failed, results are in the fused order") == true)
                #expect(!(warnings.first ?? "").contains("sk-test"))
            }
            // The platform's bare list carries the warning in a header.
            fake.enqueue(.openAIChat(content: "no"), on: Self.chatPath)
            let bare = try api.call("POST", "/v1/memories/search/", #"{"query": "tea", "user_id": "alice", "rerank": true}"#)
            #expect(bare.status == 200)
            #expect(bare.header("Engram-Warning")?.hasPrefix("rerank failed") == true)
        }
    }

    @Test("the llm reranker without an LLM warns; a removed reranker is refused again")
    func configurationChanges() throws {
        try Self.run { api, fake in
            try api.remember(Self.facts.filter { $0.hasPrefix("Alice") })
            #expect(try api.call("POST", "/configure", #"{"reranker": {"provider": "llm"}, "llm": null}"#).status == 200)
            let warned = try Self.search(api, #", "rerank": true"#)
            #expect(warned.status == 200)
            #expect((warned.object["warnings"] as? [String])?.first?.contains("needs an LLM") == true)
            #expect(try api.call("POST", "/configure", #"{"reranker": null}"#).status == 200)
            #expect(try Self.search(api, #", "rerank": true"#).status == 400)
            #expect(try api.call("GET", "/configure").object["reranker"] is NSNull)
            #expect(try api.call("POST", "/configure", #"{"reranker": {"provider": "llm", "config": {"top_n": 5000}}}"#).status == 400)
            let unknown = try api.call("POST", "/configure", #"{"reranker": {"provider": "nope"}}"#)
            #expect(unknown.status == 400)
            #expect(unknown.text.contains("nope"))
            #expect(fake.requests(on: Self.chatPath).isEmpty)
        }
    }

    @Test("a cohere reranker configured at run time reorders by the service's scores; its key is never shown")
    func cohereThroughConfigure() throws {
        try Self.run { api, fake in
            let texts = Self.facts.filter { $0.hasPrefix("Alice") }
            try api.remember(texts)
            fake.setFallback(.cohereRerank(), on: FakeProviderServer.Path.rerank)
            let body = #"{"reranker": {"provider": "cohere", "config": {"base_url": "\#(fake.baseURL)", "api_key": "co-secret", "timeout": 3}}}"#
            #expect(try api.call("POST", "/configure", body).status == 200)
            let shown = try api.call("GET", "/configure")
            #expect(!shown.text.contains("co-secret"))
            #expect((shown.object["reranker"] as? [String: Any])?["provider"] as? String == "cohere")

            let response = try Self.search(api, #", "rerank": true, "explain": true"#)
            #expect(response.status == 200, "\(response.text)")
            let query = "what does alice drink"
            let expected = texts.sorted { FakeProviderServer.relevance(of: $0, to: query) > FakeProviderServer.relevance(of: $1, to: query) }
            #expect(response.results.compactMap { $0["memory"] as? String } == expected)
            let details = response.results.compactMap { $0["score_details"] as? [String: Any] }
            #expect(details.compactMap { $0["rerank_score"] as? Double }.count == texts.count)
            let sent = try #require(fake.requests(on: FakeProviderServer.Path.rerank).last)
            #expect(sent.header("Authorization") == "Bearer co-secret")
            #expect(sent.json["query"] as? String == query)

            // A service that stalls past the timeout: the fused order, and a warning naming the timeout.
            fake.enqueue(.cohereRerank().delayed(by: .seconds(5)), on: FakeProviderServer.Path.rerank)
            let slow = try Self.search(api, #", "rerank": true"#)
            #expect(slow.status == 200)
            #expect((slow.object["warnings"] as? [String])?.first?.contains("provider_timeout") == true)
        }
    }
}
