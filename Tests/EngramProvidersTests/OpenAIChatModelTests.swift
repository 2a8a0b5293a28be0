import EngramCore
import EngramTestSupport
import Foundation
import Testing
@testable import EngramProviders

/// The OpenAI-compatible chat model through libcurl against the fake server.
@Suite("OpenAI-compatible chat model")
struct OpenAIChatModelTests {
    private typealias Path = FakeProviderServer.Path

    private func model(
        _ fake: FakeProviderServer, key: String? = "sk-test", vision: Bool = false, temperature: Double? = nil, maxTokens: Int? = nil
    ) -> OpenAIChatModel {
        OpenAIChatModel(
            provider: "openai", model: "gpt-4.1-mini", endpoint: .standard(baseURL: fake.openAIBaseURL, apiKey: key),
            client: TestClients.client(), temperature: temperature, maxTokens: maxTokens, supportsVision: vision)
    }

    private let conversation = [
        ChatMessage(role: .system, text: "You extract facts."),
        ChatMessage(role: .user, text: "I live in Lisbon."),
    ]

    @Test("posts model, messages, key and JSON mode to /chat/completions and reads the answer")
    func requestShape() throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.openAIChat(content: #"{"operations":[]}"#, promptTokens: 30, completionTokens: 4), on: Path.openAIChat)
            let chat = model(fake, temperature: 0.1, maxTokens: 500)
            let response = try chat.complete(ChatRequest(messages: conversation, jsonOutput: true))
            #expect(response == ChatResponse(text: #"{"operations":[]}"#, promptTokens: 30, completionTokens: 4))
            #expect(chat.modelID == "openai/gpt-4.1-mini")

            let sent = try #require(fake.requests(on: Path.openAIChat).first)
            #expect(sent.method == "POST")
            #expect(sent.header("Authorization") == "Bearer sk-test")
            #expect(sent.header("Content-Type") == "application/json")
            let body = sent.json
            #expect(body["model"] as? String == "gpt-4.1-mini")
            #expect(body["temperature"] as? Double == 0.1)
            #expect(body["max_tokens"] as? Int == 500)
            #expect((body["response_format"] as? [String: Any])?["type"] as? String == "json_object")
            let messages = try #require(body["messages"] as? [[String: Any]])
            #expect(messages.map { $0["role"] as? String } == ["system", "user"])
            #expect(messages.map { $0["content"] as? String } == ["You extract facts.", "I live in Lisbon."])
        }
    }

    @Test("leaves out response_format, temperature and max_tokens when nothing asks for them")
    func minimalBody() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIChat(content: "hi"), on: Path.openAIChat)
            _ = try model(fake).complete(ChatRequest(messages: conversation))
            let body = try #require(fake.requests.first).json
            #expect(Set(body.keys) == ["model", "messages"])
        }
    }

    @Test("uses the request's temperature and token limit over the configured ones")
    func requestOverrides() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIChat(content: "hi"), on: Path.openAIChat)
            _ = try model(fake, temperature: 0.7, maxTokens: 100)
                .complete(ChatRequest(messages: conversation, maxTokens: 42, temperature: 0))
            let body = try #require(fake.requests.first).json
            #expect(body["temperature"] as? Double == 0)
            #expect(body["max_tokens"] as? Int == 42)
        }
    }

    @Test("sends no Authorization field without a key")
    func noKey() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIChat(content: "hi"), on: Path.openAIChat)
            _ = try model(fake, key: nil).complete(ChatRequest(messages: conversation))
            #expect(try #require(fake.requests.first).header("Authorization") == nil)
        }
    }

    @Test("sends images as image_url parts with vision on, and leaves them out with vision off", arguments: [true, false])
    func images(vision: Bool) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIChat(content: "a cat"), on: Path.openAIChat)
            let message = ChatMessage(role: .user, text: "What is this?", imageURLs: ["https://example.com/cat.png", "data:image/png;base64,iVBOR"])
            _ = try model(fake, vision: vision).complete(ChatRequest(messages: [message]))
            let messages = try #require(fake.requests.first?.json["messages"] as? [[String: Any]])
            if vision {
                let parts = try #require(messages.first?["content"] as? [[String: Any]])
                #expect(parts.map { $0["type"] as? String } == ["text", "image_url", "image_url"])
                #expect(parts[0]["text"] as? String == "What is this?")
                #expect((parts[1]["image_url"] as? [String: Any])?["url"] as? String == "https://example.com/cat.png")
                #expect((parts[2]["image_url"] as? [String: Any])?["url"] as? String == "data:image/png;base64,iVBOR")
            } else {
                #expect(messages.first?["content"] as? String == "What is this?")
            }
        }
    }

    @Test("talks to an Azure deployment with api-version and the api-key field")
    func azure() throws {
        try FakeProviderServer.run { fake in
            let path = "/openai/deployments/my-gpt/chat/completions"
            fake.setFallback(.openAIChat(content: "hi"), on: path)
            let chat = OpenAIChatModel(
                provider: "azure_openai", model: "gpt-4o",
                endpoint: .azure(endpoint: fake.baseURL + "/", deployment: "my-gpt", apiVersion: "2024-10-21", apiKey: "azure-key"),
                client: TestClients.client())
            #expect(try chat.complete(ChatRequest(messages: conversation)).text == "hi")
            let sent = try #require(fake.requests(on: path).first)
            #expect(sent.queryValue("api-version") == "2024-10-21")
            #expect(sent.header("api-key") == "azure-key")
            #expect(sent.header("Authorization") == nil)
        }
    }

    @Test("drops response_format for good after a server rejects it")
    func responseFormatFallback() throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(
                .error(status: 400, message: "'response_format.type' must be 'json_schema' or 'text'"),
                on: Path.openAIChat)
            fake.setFallback(.openAIChat(content: "{}"), on: Path.openAIChat)
            let chat = model(fake)
            let request = ChatRequest(messages: conversation, jsonOutput: true)
            let answers = try [chat.complete(request), chat.complete(request)]
            #expect(answers.map(\.text) == ["{}", "{}"])
            let sent = fake.requests(on: Path.openAIChat).map { $0.json["response_format"] != nil }
            #expect(sent == [true, false, false])
        }
    }

    @Test("reports another 400 as a bad request without retrying")
    func otherBadRequest() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.error(status: 400, message: "maximum context length exceeded"), on: Path.openAIChat)
            let error = #expect(throws: ProviderError.self) {
                try model(fake).complete(ChatRequest(messages: conversation, jsonOutput: true))
            }
            #expect(error?.code == .badRequest)
            #expect(fake.requests.count == 1)
        }
    }

    @Test("reports an answer without a usable choice as unavailable", arguments: [
        #"{"choices": []}"#, #"{"choices": [{"message": {"role": "assistant", "content": null}}]}"#,
        #"{"choices": [{"message": {"content": ""}}]}"#, #"{"object": "list"}"#, "not json",
    ])
    func unusableAnswer(body: String) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.json(body), on: Path.openAIChat)
            let error = #expect(throws: ProviderError.self) { try model(fake).complete(ChatRequest(messages: conversation)) }
            #expect(error?.code == .unavailable)
        }
    }
}
