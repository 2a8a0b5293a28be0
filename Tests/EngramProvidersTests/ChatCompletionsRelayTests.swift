import EngramCore
import EngramHTTP
import EngramTestSupport
import Foundation
import Testing
@testable import EngramProviders

/// The chat proxy's relays against the fake server: OpenAI-compatible requests pass through, Anthropic
/// is adapted to and from OpenAI's shapes, streamed and not, and rejections keep the provider's status.
@Suite("Chat completions relays")
struct ChatCompletionsRelayTests {
    private typealias Path = FakeProviderServer.Path

    private func openAI(_ fake: FakeProviderServer) -> OpenAIChatModel {
        OpenAIChatModel(
            provider: "openai", model: "gpt-4.1-mini", endpoint: .standard(baseURL: fake.openAIBaseURL, apiKey: "sk-test"),
            client: TestClients.client(maxRetries: 0))
    }

    private func anthropic(_ fake: FakeProviderServer) -> AnthropicChatModel {
        AnthropicChatModel(model: "claude-sonnet-4-5", apiKey: "ant-key", client: TestClients.client(maxRetries: 0), baseURL: fake.baseURL)
    }

    private func request(_ json: String) throws -> ChatCompletionRequest {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        return try ChatCompletionRequest(body: try #require(value.objectValue))
    }

    private func object(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    @Test("passes an OpenAI request through with its unknown fields, the configured model filled in")
    func openAIPassThrough() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIChat(content: "Hello"), on: Path.openAIChat)
            let answer = try openAI(fake).complete(request(#"{"messages": [{"role": "user", "content": "Hi"}], "logprobs": true, "seed": 7}"#))
            #expect(ChatCompletionText.answer(ofCompletion: answer) == "Hello")
            let sent = try #require(fake.requests(on: Path.openAIChat).first)
            #expect(sent.header("Authorization") == "Bearer sk-test")
            #expect(sent.json["model"] as? String == "gpt-4.1-mini")
            #expect(sent.json["logprobs"] as? Bool == true)
            #expect(sent.json["seed"] as? Int == 7)
        }
    }

    @Test("streams an OpenAI answer's chunks as the provider sent them, without [DONE]")
    func openAIStream() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIChatStream(["Hel", "lo"]), on: Path.openAIChat)
            var chunks: [String] = []
            try openAI(fake).stream(request(#"{"model": "gpt-x", "stream": true, "messages": [{"role": "user", "content": "Hi"}]}"#)) {
                chunks.append($0)
            }
            #expect(chunks.count == 4)
            #expect(chunks.map(ChatCompletionText.delta(ofChunk:)).joined() == "Hello")
            #expect(!chunks.contains("[DONE]"))
            let sent = try #require(fake.requests(on: Path.openAIChat).first)
            #expect(sent.json["model"] as? String == "gpt-x")
            #expect(sent.header("Accept") == "text/event-stream")
        }
    }

    @Test("throws a rejection with the provider's status and message; hides a 401's")
    func openAIRejections() throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.rateLimited(), .error(status: 401, message: "Incorrect API key provided: sk-te***st"), on: Path.openAIChat)
            let body = try request(#"{"messages": [{"role": "user", "content": "Hi"}]}"#)
            #expect(throws: ProviderRejection(status: 429, message: "Rate limit reached", type: "rate_limit_exceeded")) {
                try openAI(fake).complete(body)
            }
            do {
                _ = try openAI(fake).complete(body)
                Issue.record("a 401 must be thrown")
            } catch let rejection as ProviderRejection {
                #expect(rejection.status == 401)
                #expect(!rejection.message.contains("sk-"))
            }
        }
    }

    @Test("rethrows what the chunk consumer throws and stops the stream")
    func consumerFailure() throws {
        struct Gone: Error {}
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIChatStream(["a", "b", "c"], interval: .milliseconds(20)), on: Path.openAIChat)
            var calls = 0
            #expect(throws: Gone.self) {
                try openAI(fake).stream(request(#"{"stream": true, "messages": [{"role": "user", "content": "Hi"}]}"#)) { _ in
                    calls += 1
                    throw Gone()
                }
            }
            #expect(calls == 1)
        }
    }

    @Test("adapts an OpenAI request to Anthropic's Messages API and the answer back")
    func anthropicCompletion() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.anthropicMessage(text: "Bonjour", inputTokens: 30, outputTokens: 4), on: Path.anthropicMessages)
            let answer = object(try anthropic(fake).complete(request("""
                {"messages": [{"role": "system", "content": "Be brief."}, {"role": "developer", "content": "In French."},
                 {"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
                 "max_tokens": 50, "temperature": 0.5, "top_p": 0.9, "stop": ["END"], "seed": 3}
                """)))
            #expect(answer["object"] as? String == "chat.completion")
            let choice = try #require((answer["choices"] as? [[String: Any]])?.first)
            #expect((choice["message"] as? [String: Any])?["content"] as? String == "Bonjour")
            #expect(choice["finish_reason"] as? String == "stop")
            #expect((answer["usage"] as? [String: Any])?["total_tokens"] as? Int == 34)
            let sent = try #require(fake.requests(on: Path.anthropicMessages).first).json
            #expect(sent["model"] as? String == "claude-sonnet-4-5")
            #expect(sent["system"] as? String == "Be brief.\n\nIn French.")
            #expect(sent["max_tokens"] as? Int == 50)
            #expect(sent["top_p"] as? Double == 0.9)
            #expect(sent["stop_sequences"] as? [String] == ["END"])
            #expect(sent["seed"] == nil)
            #expect(sent["stream"] == nil)
        }
    }

    @Test("turns Anthropic's streamed events into chat.completion.chunk objects, usage last when asked")
    func anthropicStream() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.anthropicStream(["Bon", "jour"], inputTokens: 30, outputTokens: 4), on: Path.anthropicMessages)
            var chunks: [[String: Any]] = []
            try anthropic(fake).stream(request("""
                {"model": "claude-haiku", "stream": true, "stream_options": {"include_usage": true},
                 "messages": [{"role": "user", "content": "Hello"}]}
                """)) { chunks.append(object(Data($0.utf8))) }
            #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
            let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
            #expect((choices.first?["delta"] as? [String: Any])?["role"] as? String == "assistant")
            #expect(choices.compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined() == "Bonjour")
            #expect(choices.last?["finish_reason"] as? String == "stop")
            #expect((chunks.last?["usage"] as? [String: Any])?["completion_tokens"] as? Int == 4)
            let sent = try #require(fake.requests(on: Path.anthropicMessages).first)
            #expect(sent.json["stream"] as? Bool == true)
            #expect(sent.json["model"] as? String == "claude-haiku")
        }
    }

    @Test("fails an Anthropic stream on an error event or an end before message_stop")
    func anthropicStreamFailures() throws {
        try FakeProviderServer.run { fake in
            let overloaded = ServerSentEvent(event: "error", data: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
            fake.enqueue(.events([overloaded]), .events([]), on: Path.anthropicMessages)
            fake.setDefault(.error(status: 404, message: "none"))
            let body = try request(#"{"stream": true, "messages": [{"role": "user", "content": "Hello"}]}"#)
            #expect(throws: ProviderRejection(status: 502, message: "Overloaded", type: "overloaded_error")) {
                try anthropic(fake).stream(body) { _ in }
            }
            #expect(throws: ProviderError.self) { try anthropic(fake).stream(body) { _ in } }
        }
    }

    @Test("refuses tool messages for Anthropic before anything is sent")
    func anthropicToolMessages() throws {
        try FakeProviderServer.run { fake in
            let body = try request(#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "tool", "content": "42"}]}"#)
            #expect(throws: ProviderError.self) { try anthropic(fake).complete(body) }
            #expect(fake.requests.isEmpty)
        }
    }
}
