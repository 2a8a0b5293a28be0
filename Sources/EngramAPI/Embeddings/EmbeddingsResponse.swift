import Foundation

/// The body of a `POST /v1/embeddings` answer, OpenAI's shape:
/// `{"object": "list", "data": [{"object": "embedding", "index", "embedding"}], "model", "usage"}`.
struct EmbeddingsResponse: Encodable {
    /// One vector, as numbers or as base64 of little-endian float32 bytes.
    struct Item: Encodable {
        let object = "embedding"
        let index: Int
        let embedding: Vector
    }

    /// A vector in the encoding the request asked for.
    enum Vector: Encodable {
        case float([Float])
        case base64(String)

        init(_ vector: [Float], format: EmbeddingsRequest.EncodingFormat) {
            switch format {
            case .float:
                self = .float(vector)
            case .base64:
                var bytes = Data(capacity: vector.count * MemoryLayout<Float>.size)
                for value in vector {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                }
                self = .base64(bytes.base64EncodedString())
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .float(let values): try container.encode(values)
            case .base64(let text): try container.encode(text)
            }
        }
    }

    /// Tokens read, counted as the model counts them.
    struct Usage: Encodable {
        let promptTokens: Int
        let totalTokens: Int

        private enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case totalTokens = "total_tokens"
        }
    }

    let object = "list"
    let data: [Item]
    let model: String
    let usage: Usage
}
