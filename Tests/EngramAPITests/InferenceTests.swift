import EngramCore
import EngramProviders
import EngramTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// The inference pipeline end to end: the real API over HTTP, a real SQLite file, and the real libcurl
/// OpenAI client talking to a scripted fake model on 127.0.0.1.
@Suite("Inference pipeline", .serialized)
struct InferenceTests {
    typealias Reply = FakeProviderServer.Reply
    static let chatPath = FakeProviderServer.Path.openAIChat

    /// An API whose LLM is the fake server's OpenAI-compatible chat endpoint.
    static func run<T>(
        timeout: Double = 3, maxRetries: Int = 1, vision: Bool = false, jobWorkers: Int? = nil,
        _ body: (APIHarness, FakeProviderServer) throws -> T
    ) throws -> T {
        var logger = Logger(label: "test.providers")
        logger.logLevel = .critical
        return try FakeProviderServer.run { fake in
            let factory = RemoteProviderFactory(logger: logger)
            let chat = try factory.chatModel(ProviderSettings(
                provider: "openai", model: "test-model", baseURL: fake.openAIBaseURL, apiKey: "sk-test-secret",
                timeout: timeout, maxRetries: maxRetries, enableVision: vision))
            return try APIHarness.run(chatModel: chat, factory: factory, jobWorkers: jobWorkers) { api in try body(api, fake) }
        }
    }

    static func operations(_ json: String) -> Reply { .openAIChat(content: #"{"operations": \#(json)}"#) }

    /// The last user message of a chat request the fake received.
    static func lastUserMessage(_ request: FakeProviderServer.RecordedRequest) -> String {
        let messages = request.json["messages"] as? [[String: Any]] ?? []
        return messages.last { $0["role"] as? String == "user" }?["content"] as? String ?? ""
    }

    static func add(_ api: APIHarness, _ text: String, extra: String = "") throws -> RawClient.Response {
        try api.call("POST", "/memories", #"{"messages": [{"role": "user", "content": \#(api.quoted(text))}], "user_id": "alice"\#(extra)}"#)
    }

    static func memories(_ api: APIHarness, superseded: Bool = false) throws -> [String] {
        try api.call("GET", "/memories?user_id=alice&include_superseded=\(superseded)").results.compactMap { $0["memory"] as? String }.sorted()
    }

    @Test("new facts are added, and the model is shown the memories, the messages and the observation date")
    func addsFacts() throws {
        try Self.run { api, fake in
            fake.enqueue(Self.operations(#"[{"op": "ADD", "text": "User is vegetarian."}, {"op": "ADD", "text": "User moved to Lisbon on 2026-03-14."}]"#), on: Self.chatPath)
            let response = try Self.add(api, "I'm vegetarian, and yesterday I moved to Lisbon!", extra: #", "timestamp": "2026-03-15T09:00:00Z""#)
            #expect(response.status == 200, "\(response.text)")
            #expect(response.results.map { $0["event"] as? String } == ["ADD", "ADD"])
            #expect(try Self.memories(api) == ["User is vegetarian.", "User moved to Lisbon on 2026-03-14."])

            let sent = try #require(fake.requests(on: Self.chatPath).first)
            #expect(sent.header("Authorization") == "Bearer sk-test-secret")
            #expect((sent.json["response_format"] as? [String: Any])?["type"] as? String == "json_object")
            let prompt = Self.lastUserMessage(sent)
            #expect(prompt.contains("Existing memories:\n[]"))
            #expect(prompt.contains("user: I'm vegetarian, and yesterday I moved to Lisbon!"))
            #expect(prompt.contains("2026-03-15 (Sunday)"))
        }
    }

    @Test("existing memories are shown under small integer ids, and a richer fact updates")
    func updates() throws {
        try Self.run { api, fake in
            let ids = try api.remember(["User likes coffee."])
            fake.enqueue(Self.operations(#"[{"op": "UPDATE", "id": "0", "text": "User likes coffee with oat milk, no sugar."}]"#), on: Self.chatPath)
            let response = try Self.add(api, "I take my coffee with oat milk and no sugar.")
            #expect(response.status == 200)
            let result = try #require(response.results.first)
            #expect(result["event"] as? String == "UPDATE")
            #expect(result["id"] as? String == ids[0])
            #expect(result["previous_memory"] as? String == "User likes coffee.")
            #expect(try Self.memories(api) == ["User likes coffee with oat milk, no sugar."])
            let history = try api.call("GET", "/memories/\(ids[0])/history").json as? [[String: Any]] ?? []
            #expect(history.map { $0["event"] as? String } == ["ADD", "UPDATE"])
            let prompt = Self.lastUserMessage(try #require(fake.requests(on: Self.chatPath).first))
            #expect(prompt.contains(#"[{"id":"0","text":"User likes coffee."}]"#))
        }
    }

    @Test("a contradiction supersedes the old memory and adds the new one")
    func supersedes() throws {
        try Self.run { api, fake in
            let ids = try api.remember(["User lives in Lisbon."])
            fake.enqueue(Self.operations(#"[{"op": "DELETE", "id": "0"}, {"op": "ADD", "text": "User lives in Porto."}]"#), on: Self.chatPath)
            let response = try Self.add(api, "I moved from Lisbon to Porto.")
            #expect(response.status == 200)
            #expect(Set(response.results.compactMap { $0["event"] as? String }) == ["DELETE", "ADD"])
            #expect(try Self.memories(api) == ["User lives in Porto."])
            #expect(try Self.memories(api, superseded: true) == ["User lives in Lisbon.", "User lives in Porto."])
            let old = try api.call("GET", "/memories/\(ids[0])").object
            #expect(old["state"] as? String == "superseded")
            let search = try api.call("POST", "/search", #"{"query": "Lisbon", "user_id": "alice"}"#)
            #expect(!search.results.contains { $0["id"] as? String == ids[0] })
        }
    }

    @Test("a repeated fact changes nothing, whatever the model answers", arguments: [
        #"[{"op": "NONE", "id": "0"}]"#, #"[{"op": "ADD", "text": "User plays the cello."}]"#, #"[]"#,
        #"[{"op": "UPDATE", "id": "0", "text": "User plays the cello."}]"#,
    ])
    func repeatChangesNothing(answer: String) throws {
        try Self.run { api, fake in
            try api.remember(["User plays the cello."])
            fake.enqueue(Self.operations(answer), on: Self.chatPath)
            let response = try Self.add(api, "I play the cello.")
            #expect(response.status == 200)
            #expect(response.results.isEmpty)
            #expect(try Self.memories(api, superseded: true) == ["User plays the cello."])
        }
    }

    @Test("ids the model made up are ignored")
    func unknownIDs() throws {
        try Self.run { api, fake in
            try api.remember(["User has a dog."])
            fake.enqueue(Self.operations(#"[{"op": "DELETE", "id": "7"}, {"op": "UPDATE", "id": "c0ffee", "text": "x"}, {"op": "ADD", "text": "User has a cat too."}]"#), on: Self.chatPath)
            let response = try Self.add(api, "I also have a cat.")
            #expect(response.results.map { $0["event"] as? String } == ["ADD"])
            #expect(try Self.memories(api, superseded: true) == ["User has a cat too.", "User has a dog."])
        }
    }

    @Test("a malformed answer is retried once with the reason; a second one is a 502 and writes nothing")
    func malformed() throws {
        try Self.run { api, fake in
            fake.enqueue(.openAIChat(content: "Sure, the user likes tea."), .openAIChat(content: "```json\n{\"operations\": [{\"op\": \"ADD\", \"text\": \"User likes tea.\"},]}\n```"), on: Self.chatPath)
            #expect(try Self.add(api, "I like tea.").status == 200)
            let retry = try #require(fake.requests(on: Self.chatPath).last)
            #expect(Self.lastUserMessage(retry).contains("could not be used"))
            #expect(try Self.memories(api) == ["User likes tea."])

            fake.enqueue(.openAIChat(content: "no JSON here"), .openAIChat(content: #"{"facts": ["User likes coffee."]}"#), on: Self.chatPath)
            let failed = try Self.add(api, "I like coffee.")
            #expect(failed.status == 502)
            #expect(failed.object["code"] as? String == "provider_unavailable")
            #expect(failed.object["request_id"] as? String == failed.header("X-Request-ID"))
            #expect(fake.requests(on: Self.chatPath).count == 4)
            #expect(try Self.memories(api) == ["User likes tea."])
        }
    }

    @Test("provider failures give 502 with their code and write nothing", arguments: [
        ("500", "provider_unavailable"), ("429", "provider_rate_limited"), ("401", "provider_auth_failed"),
        ("400", "provider_bad_request"), ("timeout", "provider_timeout"),
    ])
    func providerFailures(failure: String, code: String) throws {
        try Self.run(timeout: 1, maxRetries: 1) { api, fake in
            let reply: Reply = switch failure {
            case "500": .status(500)
            case "429": .rateLimited(retryAfter: "0")
            case "401": .error(status: 401, message: "bad key", type: "invalid_api_key")
            case "400": .error(status: 400, message: "model not found")
            default: Self.operations(#"[{"op": "ADD", "text": "late"}]"#).delayed(by: .seconds(3))
            }
            fake.setFallback(reply, on: Self.chatPath)
            let started = Date()
            let response = try Self.add(api, "I like tea.")
            #expect(response.status == 502, "\(response.text)")
            #expect(response.object["code"] as? String == code)
            #expect(!(response.object["detail"] as? String ?? "").contains("sk-test-secret"))
            #expect(Date().timeIntervalSince(started) < 5)
            #expect(try Self.memories(api).isEmpty)
        }
    }

    @Test("a 429 with Retry-After is waited out and then succeeds")
    func retryAfter() throws {
        try Self.run(timeout: 5, maxRetries: 2) { api, fake in
            fake.enqueue(.rateLimited(retryAfter: "1"), Self.operations(#"[{"op": "ADD", "text": "User likes tea."}]"#), on: Self.chatPath)
            let started = Date()
            let response = try Self.add(api, "I like tea.")
            #expect(response.status == 200)
            #expect(Date().timeIntervalSince(started) >= 0.9)
            #expect(fake.requests(on: Self.chatPath).count == 2)
        }
    }

    @Test("Anthropic's Messages API plays the model just as well")
    func anthropic() throws {
        var logger = Logger(label: "test.providers")
        logger.logLevel = .critical
        try FakeProviderServer.run { fake in
            let chat = try RemoteProviderFactory(logger: logger).chatModel(ProviderSettings(
                provider: "anthropic", model: "claude-test", baseURL: fake.baseURL, apiKey: "sk-ant-test", timeout: 3))
            try APIHarness.run(chatModel: chat) { api in
                try api.remember(["User lives in Lisbon."])
                fake.enqueue(.anthropicMessage(text: #"{"operations": [{"op": "DELETE", "id": "0"}, {"op": "ADD", "text": "User lives in Porto."}]}"#),
                             on: FakeProviderServer.Path.anthropicMessages)
                let response = try Self.add(api, "I moved to Porto.")
                #expect(response.status == 200, "\(response.text)")
                #expect(try Self.memories(api) == ["User lives in Porto."])
                let sent = try #require(fake.requests(on: FakeProviderServer.Path.anthropicMessages).first)
                #expect(sent.header("x-api-key") == "sk-ant-test")
                #expect((sent.json["system"] as? String)?.contains("operations") == true)
                #expect(Self.lastUserMessage(sent).contains(#"[{"id":"0","text":"User lives in Lisbon."}]"#))
            }
        }
    }

    @Test("a refused connection is provider_unavailable")
    func refused() throws {
        var logger = Logger(label: "test.providers")
        logger.logLevel = .critical
        try FakeProviderServer.withRefusedPort { port in
            let chat = try RemoteProviderFactory(logger: logger).chatModel(ProviderSettings(
                provider: "openai", model: "m", baseURL: "http://127.0.0.1:\(port)/v1", apiKey: "k", timeout: 2, maxRetries: 0))
            try APIHarness.run(chatModel: chat) { api in
                let response = try Self.add(api, "I like tea.")
                #expect(response.status == 502)
                #expect(response.object["code"] as? String == "provider_unavailable")
                #expect(try Self.memories(api).isEmpty)
            }
        }
    }

    @Test("concurrent adds in one scope never duplicate a fact")
    func concurrentAdds() throws {
        try Self.run { (api: APIHarness, fake: FakeProviderServer) throws -> Void in
            // The model adds the fact unless it is already among the memories it is shown.
            fake.setFallback(.dynamic { request in
                let known = Self.lastUserMessage(request).contains("User plays chess.")
                return Self.operations(known ? #"[{"op": "NONE", "id": "0"}]"# : #"[{"op": "ADD", "text": "User plays chess."}]"#)
                    .delayed(by: .milliseconds(100))
            }, on: Self.chatPath)
            let statuses = Mutex<[Int]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                let status = (try? Self.add(api, "I play chess every Sunday."))?.status ?? -1
                statuses.withLock { $0.append(status) }
            }
            #expect(statuses.withLock { $0 } == Array(repeating: 200, count: 6))
            #expect(try Self.memories(api) == ["User plays chess."])
        }
    }

    @Test("async_mode queues the add and /events reports its results")
    func asyncMode() throws {
        try Self.run(jobWorkers: 1) { api, fake in
            fake.enqueue(Self.operations(#"[{"op": "ADD", "text": "User likes tea."}]"#), on: Self.chatPath)
            let queued = try Self.add(api, "I like tea.", extra: #", "async_mode": true"#)
            #expect(queued.status == 202)
            #expect(queued.object["status"] as? String == "PENDING")
            let id = try #require(queued.object["event_id"] as? String)
            var event: [String: Any] = [:]
            for _ in 0..<100 {
                event = try api.call("GET", "/events/\(id)").object
                if event["status"] as? String == "SUCCEEDED" || event["status"] as? String == "FAILED" { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            #expect(event["status"] as? String == "SUCCEEDED")
            #expect((event["results"] as? [[String: Any]])?.first?["memory"] as? String == "User likes tea.")
            #expect(event["completed_at"] is String)
            #expect(try Self.memories(api) == ["User likes tea."])

            fake.setFallback(.status(500), on: Self.chatPath)
            let failing = try Self.add(api, "I like coffee.", extra: #", "async_mode": true"#)
            let failedID = try #require(failing.object["event_id"] as? String)
            for _ in 0..<200 {
                event = try api.call("GET", "/events/\(failedID)").object
                if event["status"] as? String == "FAILED" { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            #expect(event["status"] as? String == "FAILED")
            #expect((event["error"] as? String ?? "").hasPrefix("provider_unavailable"))
            #expect(try api.call("GET", "/events/no-such-event").status == 404)
            #expect(try Self.add(api, "x", extra: #", "async_mode": true, "expiration_date": "soon""#).status == 400)
        }
    }

    @Test("procedural memory stores one summary written by the model")
    func procedural() throws {
        try Self.run { api, fake in
            fake.enqueue(.openAIChat(content: "<think>summarise</think>Task: book a flight. Step 1: searched LIS→OPO."), on: Self.chatPath)
            let response = try api.call("POST", "/memories", #"{"messages": [{"role": "user", "content": "Book me a flight"}, {"role": "assistant", "content": "Searching LIS to OPO"}], "agent_id": "travel-bot", "memory_type": "procedural_memory"}"#)
            #expect(response.status == 200, "\(response.text)")
            let listed = try api.call("GET", "/memories?agent_id=travel-bot").results
            #expect(listed.map { $0["memory"] as? String } == ["Task: book a flight. Step 1: searched LIS→OPO."])
            #expect((listed.first?["metadata"] as? [String: Any])?["memory_type"] as? String == "procedural_memory")
        }
    }

    @Test("images are described when vision is on, and dropped with a warning otherwise")
    func images() throws {
        let body = #"{"messages": [{"role": "user", "content": [{"type": "text", "text": "This is my car."}, {"type": "image_url", "image_url": {"url": "https://example.com/car.jpg"}}]}], "user_id": "alice"}"#
        try Self.run(vision: true) { api, fake in
            fake.enqueue(.openAIChat(content: "A red vintage Fiat 500."), Self.operations(#"[{"op": "ADD", "text": "User owns a red vintage Fiat 500."}]"#), on: Self.chatPath)
            let response = try api.call("POST", "/memories", body)
            #expect(response.status == 200, "\(response.text)")
            #expect(response.object["warnings"] == nil)
            let sent = fake.requests(on: Self.chatPath)
            #expect(sent.first?.text.contains("https://example.com/car.jpg") == true)
            #expect(Self.lastUserMessage(try #require(sent.last)).contains("[Image: A red vintage Fiat 500.]"))
        }
        try Self.run(vision: false) { api, fake in
            fake.enqueue(Self.operations(#"[]"#), on: Self.chatPath)
            let response = try api.call("POST", "/memories", body)
            #expect(response.status == 200)
            #expect((response.object["warnings"] as? [String])?.first?.contains("image") == true)
            #expect(fake.requests(on: Self.chatPath).allSatisfy { !$0.text.contains("car.jpg") })
        }
    }

    @Test("custom instructions, includes and excludes reach the model")
    func instructions() throws {
        try Self.run { api, fake in
            fake.setFallback(Self.operations("[]"), on: Self.chatPath)
            #expect(try api.call("POST", "/configure", #"{"custom_instructions": "Only food preferences."}"#).status == 200)
            _ = try Self.add(api, "I love ramen.", extra: #", "includes": "cuisine", "excludes": "allergies""#)
            var prompt = Self.lastUserMessage(try #require(fake.requests(on: Self.chatPath).last))
            #expect(prompt.contains("Only food preferences.") && prompt.contains("cuisine") && prompt.contains("allergies"))
            _ = try Self.add(api, "I love ramen.", extra: #", "prompt": "Per-call instructions.""#)
            prompt = Self.lastUserMessage(try #require(fake.requests(on: Self.chatPath).last))
            #expect(prompt.contains("Per-call instructions.") && !prompt.contains("Only food preferences."))
        }
    }

    @Test("the LLM is configured at run time, persisted, and its key redacted")
    func configureAtRunTime() throws {
        var logger = Logger(label: "test.providers")
        logger.logLevel = .critical
        try FakeProviderServer.run { fake in
            try APIHarness.run(factory: RemoteProviderFactory(logger: logger)) { api in
                // No LLM yet: the heuristic extractor.
                #expect(try api.call("GET", "/configure").object["llm"] is NSNull)
                let config = #"{"llm": {"provider": "openai", "config": {"model": "test-model", "api_key": "sk-live-secret", "base_url": "\#(fake.openAIBaseURL)"}}}"#
                #expect(try api.call("POST", "/configure", config).status == 200)
                let shown = try api.call("GET", "/configure")
                #expect(!shown.text.contains("sk-live-secret"))
                #expect(((shown.object["llm"] as? [String: Any])?["config"] as? [String: Any])?["api_key"] as? String == "[redacted]")
                fake.enqueue(Self.operations(#"[{"op": "ADD", "text": "User likes tea."}]"#), on: Self.chatPath)
                #expect(try Self.add(api, "I like tea.").results.first?["memory"] as? String == "User likes tea.")
                #expect(fake.requests(on: Self.chatPath).first?.header("Authorization") == "Bearer sk-live-secret")
                // A partial change merges; a bad one changes nothing.
                #expect(try api.call("POST", "/configure", #"{"llm": {"config": {"model": "other-model"}}}"#).status == 200)
                #expect(try api.call("POST", "/configure", #"{"llm": {"provider": "nonsense"}}"#).status == 400)
                #expect(try api.call("POST", "/configure", #"{"llm": {"provider": "openai", "config": {"modle": "x"}}}"#).status == 400)
                let model = ((try api.call("GET", "/configure").object["llm"] as? [String: Any])?["config"] as? [String: Any])?["model"]
                #expect(model as? String == "other-model")
                #expect(try api.call("POST", "/configure", #"{"llm": null}"#).status == 200)
                #expect(try api.call("GET", "/configure").object["llm"] is NSNull)
                // The store holds memories made by the test embedder: another embedder is refused, saying why.
                fake.setFallback(.openAIEmbeddings(dimension: 16), on: FakeProviderServer.Path.openAIEmbeddings)
                let embedder = #"{"embedder": {"provider": "openai", "config": {"model": "e", "api_key": "k", "base_url": "\#(fake.openAIBaseURL)"}}}"#
                let refused = try api.call("POST", "/configure", embedder)
                #expect(refused.status == 400)
                #expect((refused.object["detail"] as? String ?? "").contains("engram reindex"))
            }
        }
    }
}
