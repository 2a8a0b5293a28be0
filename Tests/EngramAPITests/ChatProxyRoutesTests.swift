import EngramAPI
import EngramCore
import EngramHTTP
import EngramProviders
import EngramTestSupport
import Foundation
import Logging
import Testing

/// The chat proxy over HTTP in front of the fake provider: memories in, exchange out, plain proxying
/// without a scope, OpenAI-shaped errors, bad input, and project isolation.
@Suite("Chat proxy routes", .serialized)
struct ChatProxyRoutesTests {
    typealias Reply = FakeProviderServer.Reply
    static let chatPath = FakeProviderServer.Path.openAIChat

    /// The inference pipeline's calls (they ask for JSON) get one fact; the proxied ones get `answer`.
    static func provider(answer: Reply) -> Reply {
        .dynamic { request in
            if request.json["response_format"] != nil {
                return .openAIChat(content: #"{"operations": [{"op": "ADD", "text": "User drinks green tea every morning."}]}"#)
            }
            return answer
        }
    }

    static func run<T>(apiKey: String? = nil, _ body: (APIHarness, FakeProviderServer) throws -> T) throws -> T {
        var logger = Logger(label: "test.providers")
        logger.logLevel = .critical
        return try FakeProviderServer.run { fake in
            let factory = RemoteProviderFactory(logger: logger)
            let chat = try factory.chatModel(ProviderSettings(
                provider: "openai", model: "test-model", baseURL: fake.openAIBaseURL, apiKey: "sk-test", timeout: 5, maxRetries: 0))
            return try APIHarness.run(apiKey: apiKey, chatModel: chat, factory: factory, jobWorkers: 1) { api in try body(api, fake) }
        }
    }

    /// The proxied requests the fake received (not the inference pipeline's).
    static func proxied(_ fake: FakeProviderServer) -> [FakeProviderServer.RecordedRequest] {
        fake.requests(on: chatPath).filter { $0.json["response_format"] == nil }
    }

    static func systemText(_ request: FakeProviderServer.RecordedRequest) -> String? {
        let messages = request.json["messages"] as? [[String: Any]] ?? []
        return messages.first { $0["role"] as? String == "system" }?["content"] as? String
    }

    /// Polls the scope until `count` memories are there (the async job ran) or 10 s pass.
    static func memories(_ api: APIHarness, user: String, count: Int, headers: [String: String] = [:]) throws -> [String] {
        var texts: [String] = []
        for _ in 0..<100 {
            texts = try api.call("GET", "/memories?user_id=\(user)", headers: headers).results.compactMap { $0["memory"] as? String }
            if texts.count >= count { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return texts
    }

    @Test("answers 501 with a detail on both routes when no LLM is configured")
    func notConfigured() throws {
        try APIHarness.run { api in
            let chat = try api.call("POST", "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "Hi"}]}"#)
            #expect(chat.status == 501)
            #expect((chat.object["detail"] as? String)?.contains("needs an LLM") == true)
            #expect(try api.call("GET", "/v1/models").status == 501)
        }
    }

    @Test("adds the scope's memories to the system message, answers as the provider did, then remembers the exchange")
    func memoriesInAndOut() throws {
        try Self.run { api, fake in
            fake.setFallback(Self.provider(answer: .openAIChat(content: "Enjoy your tea!")), on: Self.chatPath)
            try api.remember(["Alice lives in Lisbon.", "Alice loves tea."])
            let response = try api.call("POST", "/v1/chat/completions", """
                {"model": "gpt-4o", "user_id": "alice", "temperature": 0.3, "seed": 11,
                 "messages": [{"role": "system", "content": "You are kind."}, {"role": "user", "content": "What should I drink? I like tea."}]}
                """)
            #expect(response.status == 200, "\(response.text)")
            let choice = (response.object["choices"] as? [[String: Any]])?.first
            #expect((choice?["message"] as? [String: Any])?["content"] as? String == "Enjoy your tea!")

            let sent = try #require(Self.proxied(fake).first)
            #expect(sent.json["model"] as? String == "gpt-4o")
            #expect(sent.json["seed"] as? Int == 11)
            #expect(sent.json["user_id"] == nil)
            let system = try #require(Self.systemText(sent))
            #expect(system.hasPrefix("You are kind.\n\n" + RecalledMemories.header))
            #expect(system.contains("- [20") && system.contains("] Alice loves tea."))
            #expect(system.hasSuffix(RecalledMemories.footer))

            let stored = try Self.memories(api, user: "alice", count: 3)
            #expect(stored.contains("User drinks green tea every morning."))
            let inference = try #require(fake.requests(on: Self.chatPath).first { $0.json["response_format"] != nil })
            #expect(inference.text.contains("What should I drink? I like tea."))
            #expect(inference.text.contains("Enjoy your tea!"))
        }
    }

    @Test("streams the provider's chunks as server-sent events ending in [DONE], then remembers the exchange")
    func streamed() throws {
        try Self.run { api, fake in
            fake.setFallback(Self.provider(answer: .openAIChatStream(["Green ", "tea."])), on: Self.chatPath)
            try api.remember(["Alice loves tea."])
            let response = try api.call("POST", "/v1/chat/completions",
                #"{"stream": true, "user": "alice", "messages": [{"role": "user", "content": "Any tips on tea?"}]}"#)
            #expect(response.status == 200)
            #expect(response.header("content-type") == "text/event-stream")
            #expect(response.header("transfer-encoding") == "chunked")
            let data = response.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { $0.replacingOccurrences(of: "data: ", with: "") }
            #expect(data.last == "[DONE]")
            #expect(data.dropLast().map(ChatCompletionText.delta(ofChunk:)).joined() == "Green tea.")
            let sent = try #require(Self.proxied(fake).first)
            #expect(sent.json["model"] as? String == "test-model")
            #expect(sent.json["user"] as? String == "alice")
            // No system message in the request: one is added for the memories.
            #expect(Self.systemText(sent)?.contains("Alice loves tea.") == true)
            #expect(try Self.memories(api, user: "alice", count: 2).contains("User drinks green tea every morning."))
            let inference = try #require(fake.requests(on: Self.chatPath).first { $0.json["response_format"] != nil })
            #expect(inference.text.contains("Green tea."))
        }
    }

    @Test("without a scope proxies plainly: nothing added to the messages, nothing remembered")
    func plainProxy() throws {
        try Self.run { api, fake in
            fake.setFallback(Self.provider(answer: .openAIChat(content: "Hi!")), on: Self.chatPath)
            let response = try api.call("POST", "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "Hello"}]}"#)
            #expect(response.status == 200)
            let sent = try #require(Self.proxied(fake).first)
            #expect((sent.json["messages"] as? [[String: Any]])?.count == 1)
            Thread.sleep(forTimeInterval: 0.5)
            #expect(fake.requests(on: Self.chatPath).count == 1)
            #expect(try api.call("GET", "/v1/models").object["data"].map { "\($0)" }?.contains("test-model") == true)
        }
    }

    @Test("returns provider errors in OpenAI's shape with their status, and remembers nothing")
    func providerErrors() throws {
        try Self.run { api, fake in
            fake.enqueue(.rateLimited(), .events([ServerSentEvent(data: "{}")], breaksOff: true), on: Self.chatPath)
            let limited = try api.call("POST", "/v1/chat/completions", #"{"user_id": "bob", "messages": [{"role": "user", "content": "I like tea."}]}"#)
            #expect(limited.status == 429)
            let error = limited.object["error"] as? [String: Any]
            #expect(error?["message"] as? String == "Rate limit reached")
            #expect(error?["type"] as? String == "rate_limit_exceeded")

            let broken = try api.call("POST", "/v1/chat/completions",
                #"{"stream": true, "user_id": "bob", "messages": [{"role": "user", "content": "I like coffee."}]}"#)
            #expect(broken.status == 200)
            #expect(broken.text.contains(#"data: {"error":"#))
            #expect(!broken.text.contains("[DONE]"))
            Thread.sleep(forTimeInterval: 0.5)
            #expect(try api.call("GET", "/memories?user_id=bob").results.isEmpty)
            #expect(fake.requests(on: Self.chatPath).count == 2)
        }
    }

    @Test("refuses malformed requests before calling the provider")
    func badInput() throws {
        try Self.run { api, fake in
            for (body, status) in [
                ("{not json", 400), (#"{"messages": []}"#, 400), (#"{"messages": [{"content": "no role"}]}"#, 400),
                (#"{"messages": [{"role": "user", "content": "x"}], "stream": "yes"}"#, 400),
                (#"{"messages": [{"role": "user", "content": "x"}], "user_id": 5}"#, 422),
                (#"{"messages": [{"role": "user", "content": "x"}], "user_id": "a b"}"#, 400),
            ] {
                let response = try api.call("POST", "/v1/chat/completions", body)
                #expect(response.status == status, "\(body)")
            }
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("shows a project's memories only to its own keys")
    func projectIsolation() throws {
        let admin = "admin-key"
        try Self.run(apiKey: admin) { api, fake in
            fake.setFallback(Self.provider(answer: .openAIChat(content: "OK")), on: Self.chatPath)
            func key(_ project: String) throws -> [String: String] {
                let created = try api.call("POST", "/admin/keys", #"{"project": "\#(project)"}"#, headers: ["X-API-Key": admin])
                return ["Authorization": "Bearer \(created.object["key"] as? String ?? "")"]
            }
            let alpha = try key("alpha"), beta = try key("beta")
            _ = try api.call("POST", "/memories", #"{"messages": "Secret: the vault code is 4417.", "user_id": "sam", "infer": false}"#, headers: alpha)
            #expect(try api.call("POST", "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}]}"#).status == 401)
            let answer = try api.call("POST", "/v1/chat/completions",
                #"{"user_id": "sam", "messages": [{"role": "user", "content": "What is the vault code?"}]}"#, headers: beta)
            #expect(answer.status == 200)
            #expect(!(Self.proxied(fake).last?.text.contains("4417") ?? true))
            _ = try api.call("POST", "/v1/chat/completions",
                #"{"user_id": "sam", "messages": [{"role": "user", "content": "What is the vault code?"}]}"#, headers: alpha)
            #expect(Self.proxied(fake).last?.text.contains("4417") == true)
        }
    }
}
