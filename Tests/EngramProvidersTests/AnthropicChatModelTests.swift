import EngramCore
import EngramTestSupport
import Foundation
import Testing
@testable import EngramProviders

/// The Anthropic Messages API model through libcurl against the fake server.
@Suite("Anthropic chat model")
struct AnthropicChatModelTests {
    private typealias Path = FakeProviderServer.Path

    private func model(_ fake: FakeProviderServer, baseURL: String? = nil, vision: Bool = false, maxTokens: Int? = nil) -> AnthropicChatModel {
        AnthropicChatModel(
            model: "claude-sonnet-4-5", apiKey: "ant-key", client: TestClients.client(), baseURL: baseURL ?? fake.baseURL,
            temperature: 0.2, maxTokens: maxTokens, supportsVision: vision)
    }

    @Test("posts to /v1/messages with the key, version, top-level system and a token limit")
    func requestShape() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.anthropicMessage(text: #"{"operations":[]}"#, inputTokens: 40, outputTokens: 6), on: Path.anthropicMessages)
            let chat = model(fake)
            let request = ChatRequest(messages: [
                ChatMessage(role: .system, text: "You extract facts."),
                ChatMessage(role: .system, text: "Be brief."),
                ChatMessage(role: .user, text: "I live in Lisbon."),
                ChatMessage(role: .assistant, text: "Noted."),
                ChatMessage(role: .user, text: "And I like tea."),
            ])
            let response = try chat.complete(request)
            #expect(response == ChatResponse(text: #"{"operations":[]}"#, promptTokens: 40, completionTokens: 6))
            #expect(chat.modelID == "anthropic/claude-sonnet-4-5")

            let sent = try #require(fake.requests(on: Path.anthropicMessages).first)
            #expect(sent.header("x-api-key") == "ant-key")
            #expect(sent.header("anthropic-version") == "2023-06-01")
            #expect(sent.header("Authorization") == nil)
            let body = sent.json
            #expect(body["model"] as? String == "claude-sonnet-4-5")
            #expect(body["max_tokens"] as? Int == 2000)
            #expect(body["temperature"] as? Double == 0.2)
            #expect(body["system"] as? String == "You extract facts.\n\nBe brief.")
            let messages = try #require(body["messages"] as? [[String: Any]])
            #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "user"])
            #expect(messages.map { $0["content"] as? String } == ["I live in Lisbon.", "Noted.", "And I like tea."])
        }
    }

    @Test("asks for JSON in the system prompt and joins the text blocks of the answer")
    func jsonAndBlocks() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.json(object: [
                "content": [
                    ["type": "text", "text": "{\"a\":"], ["type": "tool_use", "id": "x"], ["type": "text", "text": " 1}"],
                ],
            ]), on: Path.anthropicMessages)
            let response = try model(fake, maxTokens: 64).complete(ChatRequest(messages: [ChatMessage(role: .user, text: "hi")], jsonOutput: true))
            #expect(response.text == "{\"a\": 1}")
            #expect(response.promptTokens == nil)
            let body = try #require(fake.requests.first).json
            #expect(body["system"] as? String == AnthropicPayload.jsonInstruction)
            #expect(body["max_tokens"] as? Int == 64)
        }
    }

    @Test("accepts a base URL that already ends in /v1")
    func versionedBase() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.anthropicMessage(text: "ok"), on: Path.anthropicMessages)
            let response = try model(fake, baseURL: fake.baseURL + "/v1/").complete(ChatRequest(messages: [ChatMessage(role: .user, text: "hi")]))
            #expect(response.text == "ok")
        }
    }

    @Test("sends images as base64 and url blocks with vision on")
    func imagesWithVision() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.anthropicMessage(text: "a cat"), on: Path.anthropicMessages)
            let message = ChatMessage(role: .user, text: "What is this?", imageURLs: ["data:image/jpeg;base64,/9j/4AAQ", "https://example.com/cat.png"])
            _ = try model(fake, vision: true).complete(ChatRequest(messages: [message]))
            let messages = try #require(fake.requests.first?.json["messages"] as? [[String: Any]])
            let blocks = try #require(messages.first?["content"] as? [[String: Any]])
            #expect(blocks.map { $0["type"] as? String } == ["image", "image", "text"])
            let inline = try #require(blocks[0]["source"] as? [String: Any])
            #expect(inline["type"] as? String == "base64")
            #expect(inline["media_type"] as? String == "image/jpeg")
            #expect(inline["data"] as? String == "/9j/4AAQ")
            let remote = try #require(blocks[1]["source"] as? [String: Any])
            #expect(remote["type"] as? String == "url")
            #expect(remote["url"] as? String == "https://example.com/cat.png")
            #expect(blocks[2]["text"] as? String == "What is this?")
        }
    }

    @Test("sends only the text with vision off")
    func imagesWithoutVision() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.anthropicMessage(text: "ok"), on: Path.anthropicMessages)
            let message = ChatMessage(role: .user, text: "What is this?", imageURLs: ["https://example.com/cat.png"])
            _ = try model(fake).complete(ChatRequest(messages: [message]))
            let messages = try #require(fake.requests.first?.json["messages"] as? [[String: Any]])
            #expect(messages.first?["content"] as? String == "What is this?")
        }
    }

    @Test("refuses a data: URL image that is not base64, before sending")
    func nonBase64Image() throws {
        try FakeProviderServer.run { fake in
            let message = ChatMessage(role: .user, text: "?", imageURLs: ["data:image/svg+xml,<svg/>"])
            let error = #expect(throws: ProviderError.self) { try model(fake, vision: true).complete(ChatRequest(messages: [message])) }
            #expect(error?.code == .badRequest)
            #expect(fake.requests.isEmpty)
        }
    }

    @Test("reports an answer without text as unavailable, and a refused key as an auth failure")
    func failures() throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.json(#"{"content": []}"#), .error(status: 401, message: "invalid x-api-key"), on: Path.anthropicMessages)
            let chat = model(fake)
            let request = ChatRequest(messages: [ChatMessage(role: .user, text: "hi")])
            #expect(throws: ProviderError(.unavailable, "127.0.0.1:\(fake.port) returned a message without text")) { try chat.complete(request) }
            let error = #expect(throws: ProviderError.self) { try chat.complete(request) }
            #expect(error?.code == .authFailed)
        }
    }
}
