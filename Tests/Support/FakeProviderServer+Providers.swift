import EngramHTTP
import Foundation

extension FakeProviderServer.Reply {
    /// An OpenAI chat completion whose single choice says `content` (for the inference pipeline: the
    /// JSON text of the operations).
    public static func openAIChat(content: String, promptTokens: Int = 12, completionTokens: Int = 7) -> Self {
        json(object: [
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 1_700_000_000, "model": "fake-model",
            "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]],
            "usage": [
                "prompt_tokens": promptTokens, "completion_tokens": completionTokens,
                "total_tokens": promptTokens + completionTokens,
            ],
        ])
    }

    /// An Anthropic message whose single text block says `text`.
    public static func anthropicMessage(text: String, inputTokens: Int = 12, outputTokens: Int = 7) -> Self {
        json(object: [
            "id": "msg_fake", "type": "message", "role": "assistant", "model": "fake-model",
            "content": [["type": "text", "text": text]], "stop_reason": "end_turn",
            "usage": ["input_tokens": inputTokens, "output_tokens": outputTokens],
        ])
    }

    /// A streamed OpenAI chat completion saying `pieces` one chunk each: a role chunk first, a
    /// `finish_reason` chunk and `[DONE]` last.
    public static func openAIChatStream(_ pieces: [String], interval: Duration = .zero) -> Self {
        func chunk(_ delta: [String: Any], finish: String? = nil) -> ServerSentEvent {
            let object: [String: Any] = [
                "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": "fake-model",
                "choices": [["index": 0, "delta": delta, "finish_reason": finish.map { $0 as Any } ?? NSNull()]],
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return ServerSentEvent(data: String(decoding: data, as: UTF8.self))
        }
        let events = [chunk(["role": "assistant", "content": ""])] + pieces.map { chunk(["content": $0]) }
            + [chunk([:], finish: "stop"), ServerSentEvent(data: "[DONE]")]
        return .events(events, interval: interval)
    }

    /// A streamed Anthropic message saying `pieces` one `content_block_delta` each, framed by
    /// `message_start`, the block's start and stop, `message_delta` and `message_stop`.
    public static func anthropicStream(_ pieces: [String], inputTokens: Int = 12, outputTokens: Int = 7) -> Self {
        func event(_ name: String, _ object: [String: Any]) -> ServerSentEvent {
            let data = (try? JSONSerialization.data(withJSONObject: object.merging(["type": name]) { a, _ in a }, options: [.sortedKeys])) ?? Data()
            return ServerSentEvent(event: name, data: String(decoding: data, as: UTF8.self))
        }
        var events = [
            event("message_start", ["message": [
                "id": "msg_fake", "type": "message", "role": "assistant", "model": "fake-model", "content": [],
                "usage": ["input_tokens": inputTokens, "output_tokens": 1],
            ]]),
            event("content_block_start", ["index": 0, "content_block": ["type": "text", "text": ""]]),
            event("ping", [:]),
        ]
        events += pieces.map { event("content_block_delta", ["index": 0, "delta": ["type": "text_delta", "text": $0]]) }
        events += [
            event("content_block_stop", ["index": 0]),
            event("message_delta", ["delta": ["stop_reason": "end_turn"], "usage": ["output_tokens": outputTokens]]),
            event("message_stop", [:]),
        ]
        return .events(events)
    }

    /// OpenAI embeddings for whatever `input` the request holds (a string or a list of strings): one
    /// `FakeProviderServer.vector(for:dimension:)` per input, listed in reverse order with their
    /// `index`, so clients must order by index.
    public static func openAIEmbeddings(dimension: Int) -> Self {
        .dynamic { request in
            let inputs = Self.inputs(of: request)
            let items: [[String: Any]] = inputs.enumerated().reversed().map { index, text in
                ["object": "embedding", "index": index, "embedding": FakeProviderServer.vector(for: text, dimension: dimension).map(Double.init)]
            }
            return json(object: [
                "object": "list", "data": items, "model": "fake-embedder",
                "usage": ["prompt_tokens": inputs.count, "total_tokens": inputs.count],
            ])
        }
    }

    /// Ollama `/api/embed` embeddings for the request's `input` (a string or a list of strings), in order.
    public static func ollamaEmbed(dimension: Int) -> Self {
        .dynamic { request in
            let vectors = Self.inputs(of: request).map { FakeProviderServer.vector(for: $0, dimension: dimension).map(Double.init) }
            return json(object: ["model": "fake-embedder", "embeddings": vectors])
        }
    }

    /// The texts of an embedding request's `input`.
    private static func inputs(of request: FakeProviderServer.RecordedRequest) -> [String] {
        switch request.json["input"] {
        case let text as String: [text]
        case let texts as [Any]: texts.map { $0 as? String ?? "" }
        default: []
        }
    }
}

extension FakeProviderServer {
    /// A deterministic vector for `text`: components in [-1, 1] from a hash of the text, not of unit
    /// length (so normalisation by the client is observable).
    public static func vector(for text: String, dimension: Int) -> [Float] {
        // FNV-1a over the UTF-8 bytes seeds a xorshift generator.
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        if state == 0 { state = 1 }
        return (0..<dimension).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Float(Double(state % 2_000_001) / 1_000_000 - 1)
        }
    }

    /// Runs `body` with a port on 127.0.0.1 where connections are refused: a socket is bound there but
    /// never listens, so no other test can take the port meanwhile.
    public static func withRefusedPort<T>(_ body: (Int) throws -> T) throws -> T {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RefusedPortError(errno: errno) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw RefusedPortError(errno: errno) }
        return try body(Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A socket call failed while reserving a refused port.
    public struct RefusedPortError: Error {
        /// The `errno` of the failed call.
        public var errno: Int32
    }
}
