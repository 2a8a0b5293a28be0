import EngramCore
import Foundation
import Testing

/// The chat proxy's view of an OpenAI request body, without sockets or providers.
@Suite("Chat completion request")
struct ChatCompletionRequestTests {
    private func request(_ json: String) throws -> ChatCompletionRequest {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        return try ChatCompletionRequest(body: try #require(value.objectValue))
    }

    private func messages(_ request: ChatCompletionRequest) -> [[String: JSONValue]] {
        guard case .array(let items)? = request.body["messages"] else { return [] }
        return items.compactMap(\.objectValue)
    }

    @Test("refuses bodies without a usable messages list, or with a non-string model or non-boolean stream")
    func validation() {
        for json in [
            "{}", #"{"messages": []}"#, #"{"messages": "hi"}"#, #"{"messages": [{"content": "x"}]}"#,
            #"{"messages": [{"role": 1}]}"#, #"{"messages": [{"role": "user"}], "model": 3}"#,
            #"{"messages": [{"role": "user"}], "stream": "true"}"#,
        ] {
            #expect(throws: MemoryError.self, "\(json)") { try request(json) }
        }
    }

    @Test("appends the memories to the first system message, whatever its content's shape")
    func systemMessage() throws {
        var plain = try request(#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "system", "content": "Be kind."}]}"#)
        plain.addToSystemMessage("MEMORIES")
        #expect(messages(plain)[1]["content"] == .string("Be kind.\n\nMEMORIES"))

        var parts = try request(#"{"messages": [{"role": "developer", "content": [{"type": "text", "text": "Rules"}]}, {"role": "user", "content": "Hi"}]}"#)
        parts.addToSystemMessage("MEMORIES")
        guard case .array(let content)? = messages(parts)[0]["content"] else { Issue.record("parts lost"); return }
        #expect(content.count == 2)
        #expect(content[1].objectValue?["text"] == .string("MEMORIES"))

        var none = try request(#"{"messages": [{"role": "user", "content": "Hi"}], "seed": 1}"#)
        none.addToSystemMessage("MEMORIES")
        #expect(messages(none).first == ["role": .string("system"), "content": .string("MEMORIES")])
        #expect(messages(none).count == 2)
        #expect(none.body["seed"] == .number(1))
    }

    @Test("reads the last user message's text, the model, limits and stop sequences")
    func readers() throws {
        var body = try request("""
            {"model": "m", "stream": true, "max_tokens": 40, "stop": "END", "stream_options": {"include_usage": true},
             "messages": [{"role": "user", "content": "first"}, {"role": "assistant", "content": "ok"},
                          {"role": "user", "content": [{"type": "text", "text": "second"}, {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]}
            """)
        #expect(body.lastUserText == "second")
        #expect(body.model == "m" && body.stream && body.includeUsage)
        #expect(body.maxTokens == 40)
        #expect(body.stop == ["END"])
        body.setModelIfAbsent("other")
        #expect(body.model == "m")
        let chat = try body.chatMessages()
        #expect(chat.map(\.role) == [.user, .assistant, .user])
        #expect(chat[2].imageURLs == ["https://x/y.png"])
        #expect(try request(#"{"messages": [{"role": "user", "content": "x"}], "max_tokens": 1e300}"#).maxTokens == nil)
        #expect(try request(#"{"messages": [{"role": "assistant", "content": "x"}]}"#).lastUserText == nil)
    }

    @Test("refuses tool messages when the provider needs Engram's own message shape")
    func toolMessages() throws {
        #expect(throws: ProviderError.self) {
            try request(#"{"messages": [{"role": "tool", "content": "42", "tool_call_id": "a"}]}"#).chatMessages()
        }
    }

    @Test("lists recalled memories with their day between the section's markers")
    func recalledSection() throws {
        let memory = Memory(
            id: "1", text: "Alice loves tea.\nReally.", hash: "", metadata: nil, scope: Scope(stored: "alice", agentID: nil, runID: nil),
            actorID: nil, role: nil, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 1_764_000_000),
            expirationDate: nil, state: .active, project: "default", embedding: [], categories: [])
        let section = RecalledMemories.section([memory])
        #expect(section.hasPrefix(RecalledMemories.header))
        #expect(section.hasSuffix(RecalledMemories.footer))
        #expect(section.contains("- [2025-11-24] Alice loves tea. Really."))
    }
}
