import EngramCore
import EngramHTTP
import Foundation
import Logging

/// The chat proxy (docs/proxy.md): `POST /v1/chat/completions` in OpenAI's shapes, streamed or not, in
/// front of the configured LLM, with the scope's memories added to the system message before the call
/// and the exchange remembered after it; `GET /v1/models` names the configured model.
enum ChatProxyRoutes {
    static let notConfigured = HTTPError(
        .notImplemented,
        "The chat proxy needs an LLM: set ENGRAM_LLM_PROVIDER (and its model and key), or POST /configure with an 'llm' section")

    static func register(on router: inout Router, engine: MemoryService, logger: Logger) {
        router.add(.post, "/v1/chat/completions") { request in
            let service = engine.serving(request)
            guard let relay = service.chatRelay else { throw notConfigured }
            var input = try ChatProxyInput(request)
            input.completion.setModelIfAbsent(relay.defaultModel)
            let exchange = Exchange(service: service, scope: input.scope, user: input.completion.lastUserText, logger: logger, requestID: request.id)
            if let memories = try exchange.recall(), !memories.isEmpty {
                input.completion.addToSystemMessage(RecalledMemories.section(memories))
            }
            let completion = input.completion
            guard completion.stream else {
                let answer: Data
                do {
                    answer = try relay.complete(completion)
                } catch {
                    throw ProxyFailure(error)
                }
                exchange.remember(ChatCompletionText.answer(ofCompletion: answer))
                return .json(bytes: Array(answer))
            }
            return .eventStream { writer in
                var answer = ""
                var started = false
                do {
                    try relay.stream(completion) { chunk in
                        answer += ChatCompletionText.delta(ofChunk: chunk)
                        try writer.write(ServerSentEvent(data: chunk).bytes)
                        started = true
                    }
                } catch let closed as HTTPBodyStreamClosed {
                    throw closed
                } catch {
                    // Before the first chunk the failure is the response; after it, the stream's last event.
                    let failure = ProxyFailure(error)
                    guard started else { throw failure }
                    try writer.write(ServerSentEvent(data: failure.json).bytes)
                    return
                }
                try writer.write(ServerSentEvent(data: "[DONE]").bytes)
                exchange.remember(answer)
            }
        }
        router.add(.get, "/v1/models") { request in
            guard let relay = engine.serving(request).chatRelay else { throw notConfigured }
            return .json(JSONValue.object([
                "object": .string("list"),
                "data": .array([.object([
                    "id": .string(relay.defaultModel), "object": .string("model"), "created": .number(0),
                    "owned_by": .string(String(relay.modelID.split(separator: "/").first ?? "engram")),
                ])]),
            ]))
        }
    }

    /// One proxied exchange's memory work: recall before the call, remember after a successful one.
    private struct Exchange: Sendable {
        let service: MemoryService
        let scope: Scope?
        /// The last user message's text.
        let user: String?
        let logger: Logger
        let requestID: String

        /// The scope's memories for the user's message; nil for a plain proxy call.
        func recall() throws -> [Memory]? {
            guard let scope, let user else { return nil }
            return try service.recall(user, scope: scope)
        }

        /// Queues the exchange as an async inference add. The answer is already the client's, so a
        /// failure to queue is logged, not returned.
        func remember(_ answer: String) {
            guard let scope, let user, !answer.isEmpty else { return }
            do {
                _ = try service.rememberExchange(user: user, assistant: answer, scope: scope)
            } catch {
                logger.error("The chat proxy could not queue the exchange", metadata: [
                    "request_id": "\(requestID)", "error": "\(error)",
                ])
            }
        }
    }
}
