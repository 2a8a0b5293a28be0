import Foundation

extension MemoryService {
    /// The chat model as the chat proxy's relay; nil when no LLM is configured.
    public var chatRelay: (any ChatCompletionsRelay)? { shared.providers.withLock { $0.chatModel } as? any ChatCompletionsRelay }

    /// The scope's memories most relevant to `text`, found as `POST /search` finds them (its defaults),
    /// at most `configuration.proxyMemories`.
    public func recall(_ text: String, scope: Scope) throws -> [Memory] {
        guard configuration.proxyMemories > 0 else { return [] }
        return try search(SearchRequest(query: text, filter: scope.filter, topK: configuration.proxyMemories))
            .results.map(\.memory)
    }

    /// Queues the exchange (the user's message and the model's answer) as a durable async inference
    /// add to the scope, as `async_mode` does.
    public func rememberExchange(user: String, assistant: String, scope: Scope) throws -> AddJob {
        try enqueueAdd(AddRequest(
            messages: [Message(role: "user", content: user), Message(role: "assistant", content: assistant)], scope: scope))
    }
}
