import EngramCore
import Foundation

/// Encoding of request bodies and decoding of provider answers, with failures as `ProviderError`.
enum ProviderJSON {
    /// The JSON of a request body (slashes unescaped, so `data:` and `https:` URLs stay readable).
    static func encode<Body: Encodable>(_ body: Body) throws(ProviderError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        do {
            return try encoder.encode(body)
        } catch {
            throw ProviderError(.badRequest, "The request could not be encoded (a number that is not finite?)")
        }
    }

    /// Decodes an answer from `host`; an answer of the wrong shape is `provider_unavailable`, and the
    /// message names what was expected, not what arrived.
    static func decode<Answer: Decodable>(_ type: Answer.Type, from data: Data, host: String, what: String) throws(ProviderError) -> Answer {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw ProviderError(.unavailable, "\(host) returned a malformed \(what)")
        }
    }
}
