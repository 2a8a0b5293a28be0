import EngramHTTP
import Foundation

/// A validated `POST /v1/embeddings` body, OpenAI's shape: `input` (a string or an array of
/// strings), optional `model` (this server's model, by full or short name), `encoding_format`
/// (`float`, the default, or `base64`), `dimensions` (only the model's own) and `user` (ignored).
struct EmbeddingsRequest: Equatable {
    /// How vectors are written in the response.
    enum EncodingFormat: String {
        /// A JSON array of numbers.
        case float
        /// Base64 of the little-endian float32 bytes, as OpenAI's clients request by default.
        case base64
    }

    /// The texts to embed, in order.
    let inputs: [String]
    /// How to write the vectors.
    let encodingFormat: EncodingFormat

    /// Parses and validates `body`: malformed JSON is a 400 `HTTPError`, a body of the wrong shape a
    /// 422 `ValidationFailure` listing every problem.
    init(body: [UInt8], modelID: String, dimension: Int, maxInputs: Int) throws {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw HTTPError(.badRequest, "Malformed JSON body")
        }
        guard let object = parsed as? [String: Any] else {
            throw ValidationFailure(issues: [.init(loc: [.key("body")], msg: "The body must be a JSON object", type: "dict_type")])
        }
        var issues: [ValidationFailure.Issue] = []
        func issue(_ field: String, _ message: String, _ type: String, index: Int? = nil) {
            issues.append(.init(loc: [.key("body"), .key(field)] + (index.map { [.index($0)] } ?? []), msg: message, type: type))
        }

        var inputs: [String] = []
        switch object["input"] {
        case nil:
            issue("input", "Field required", "missing")
        case let text as String:
            inputs = [text]
        case let list as [Any]:
            for (index, element) in list.enumerated() {
                if let text = element as? String {
                    inputs.append(text)
                } else {
                    issue("input", "Input should be a valid string", "string_type", index: index)
                }
            }
            if list.isEmpty {
                issue("input", "Input should have at least 1 item", "too_short")
            } else if list.count > maxInputs {
                issue("input", "Input should have at most \(maxInputs) items", "too_long")
            }
        default:
            issue("input", "Input should be a string or an array of strings", "string_type")
        }

        switch object["model"] {
        case nil, is NSNull:
            break
        case let model as String:
            let accepted = [modelID, modelID.split(separator: "/").last.map(String.init) ?? modelID]
            if !accepted.contains(where: { $0.caseInsensitiveCompare(model) == .orderedSame }) {
                issue("model", "This server embeds with \(modelID)", "value_error")
            }
        default:
            issue("model", "Input should be a valid string", "string_type")
        }

        var format = EncodingFormat.float
        switch object["encoding_format"] {
        case nil, is NSNull:
            break
        case let name as String:
            if let known = EncodingFormat(rawValue: name) {
                format = known
            } else {
                issue("encoding_format", "Input should be 'float' or 'base64'", "enum")
            }
        default:
            issue("encoding_format", "Input should be 'float' or 'base64'", "enum")
        }

        if let dimensions = object["dimensions"], !(dimensions is NSNull) {
            if (dimensions as? NSNumber)?.doubleValue != Double(dimension) {
                issue("dimensions", "This model's embeddings have \(dimension) dimensions", "value_error")
            }
        }

        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
        self.inputs = inputs
        self.encodingFormat = format
    }
}
