@testable import EngramAPI
import EngramCore
import Foundation

/// Reaches the redaction of `ConfigureRoutes` with JSON text in and out.
enum ConfigureRoutesProbe {
    static func redact(_ json: String) -> String {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else { return "" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(ConfigureRoutes.redacted(value)) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
