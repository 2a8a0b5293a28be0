import Foundation

/// The assistant's text in OpenAI chat completion answers, read back to remember the exchange.
public enum ChatCompletionText {
    /// The first choice's `message.content` of a `chat.completion` object; empty when it has none.
    public static func answer(ofCompletion data: Data) -> String {
        (try? JSONDecoder().decode(Completion.self, from: data))?.choices?.first?.message?.content ?? ""
    }

    /// The first choice's `delta.content` of a `chat.completion.chunk` object; empty when it has none.
    public static func delta(ofChunk text: String) -> String {
        (try? JSONDecoder().decode(Chunk.self, from: Data(text.utf8)))?.choices?.first?.delta?.content ?? ""
    }

    private struct Completion: Decodable {
        struct Choice: Decodable { var message: Content? }
        var choices: [Choice]?
    }

    private struct Chunk: Decodable {
        struct Choice: Decodable { var delta: Content? }
        var choices: [Choice]?
    }

    private struct Content: Decodable {
        var content: String?
    }
}
