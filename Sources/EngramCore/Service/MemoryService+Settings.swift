import Foundation

extension MemoryService {
    /// The key under which runtime configuration overrides (`POST /configure`) are persisted.
    static let overridesKey = "config_overrides"

    /// The model and dimension of the embedder in use.
    public var embedderDescription: (model: String, dimension: Int) { (embedder.modelID, embedder.dimension) }

    /// The persisted runtime configuration overrides (an object; empty when none).
    public func configurationOverrides() throws -> [String: JSONValue] {
        guard let text = try store.setting(Self.overridesKey),
              let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
              case .object(let object) = value
        else { return [:] }
        return object
    }

    /// Replaces the persisted runtime configuration overrides.
    public func setConfigurationOverrides(_ overrides: [String: JSONValue]) throws {
        let data = try JSONEncoder().encode(JSONValue.object(overrides))
        try store.setSetting(Self.overridesKey, value: String(decoding: data, as: UTF8.self))
    }
}
