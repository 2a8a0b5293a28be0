import Foundation

extension MemoryService {
    /// The key under which runtime configuration overrides (`POST /configure`) are persisted.
    public static let overridesKey = "config_overrides"
    /// Prompt settings `POST /configure` accepts: each a string, or null for the default.
    public static let promptKeys: Set<String> = ["custom_instructions", "custom_fact_extraction_prompt", "custom_update_memory_prompt"]
    /// Provider sections `POST /configure` accepts.
    public static let providerKeys: Set<String> = ["llm", "embedder", "reranker"]

    /// The model and dimension of the embedder in use.
    public var embedderDescription: (model: String, dimension: Int) {
        let embedder = self.embedder
        return (embedder.modelID, embedder.dimension)
    }

    /// The settings of the providers in use, in mem0's shape (secrets included: redact before showing).
    public var providerDescription: (llm: JSONValue, embedder: JSONValue, reranker: JSONValue) {
        shared.providers.withLock { current in
            let embedder = current.embedderSettings?.json ?? .object([
                "provider": .string("local"),
                "config": .object([
                    "model": .string(current.embedder.modelID), "embedding_dims": .number(Double(current.embedder.dimension)),
                ]),
            ])
            return (current.llmSettings?.json ?? .null, embedder, current.rerankerSettings?.json ?? .null)
        }
    }

    /// The persisted runtime configuration overrides (an object; empty when none).
    public func configurationOverrides() throws -> [String: JSONValue] {
        guard let text = try store.setting(Self.overridesKey),
              let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
              case .object(let object) = value
        else { return [:] }
        return object
    }

    /// A prompt setting in effect: set by `POST /configure`, else from the config file.
    func promptSetting(_ key: String, overrides: [String: JSONValue]) -> String? {
        overrides[key]?.stringValue ?? configuration.promptDefaults[key]
    }

    /// The prompt settings in effect, by key (null when unset).
    public func promptSettings() throws -> [String: JSONValue] {
        let overrides = try configurationOverrides()
        var result: [String: JSONValue] = [:]
        for key in Self.promptKeys { result[key] = promptSetting(key, overrides: overrides).map(JSONValue.string) ?? .null }
        return result
    }

    /// Applies a partial configuration (`POST /configure`): prompt keys are set or cleared; `llm` and
    /// `embedder` are deep-merged into the settings in use, built, checked (an embedder must match the
    /// store's model and dimension) and only then persisted and swapped in. `"llm": null` turns the LLM
    /// off (heuristic extraction); `"embedder": null` returns to the embedder configured at start.
    /// Nothing changes unless everything is valid.
    public func configure(_ changes: [String: JSONValue]) throws {
        var overrides = try configurationOverrides()
        var next = shared.providers.withLock { $0 }
        for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
            if Self.promptKeys.contains(key) {
                switch value {
                case .null: overrides.removeValue(forKey: key)
                case .string(let text) where text.utf8.count <= Self.maxInstructionBytes && !text.utf8.contains(0): overrides[key] = value
                default: throw MemoryError.invalid("'\(key)' must be a string of at most 64 KiB, or null")
                }
            } else if key == "llm" {
                if value == .null {
                    overrides[key] = .null
                    next.chatModel = nil
                    next.llmSettings = nil
                } else {
                    let settings = try ProviderSettings(json: Self.merged(next.llmSettings?.json, value), section: key)
                    next.chatModel = try requireFactory().chatModel(settings)
                    next.llmSettings = settings
                    overrides[key] = settings.json
                }
            } else if key == "embedder" {
                if value == .null {
                    overrides.removeValue(forKey: key)
                    next.embedder = baseline.embedder
                    next.embedderSettings = baseline.embedderSettings
                } else {
                    let settings = try ProviderSettings(json: Self.merged(next.embedderSettings?.json, value), section: key)
                    next.embedder = try requireFactory().embedder(settings)
                    next.embedderSettings = settings
                    overrides[key] = settings.json
                }
                do {
                    try store.prepare(embeddingModel: next.embedder.modelID, dimension: next.embedder.dimension)
                } catch MemoryError.embedderMismatch(let message) {
                    throw MemoryError.invalid(message)
                }
            } else if key == "reranker" {
                if value == .null {
                    overrides[key] = .null
                    next.reranker = nil
                    next.rerankerSettings = nil
                } else {
                    let settings = try ProviderSettings(json: Self.merged(next.rerankerSettings?.json, value), section: key)
                    next.reranker = try buildReranker(settings)
                    next.rerankerSettings = settings
                    overrides[key] = settings.json
                }
            } else if ["vector_store", "graph_store", "history_db_path", "version"].contains(key) {
                throw MemoryError.invalid("'\(key)' cannot be changed at run time")
            } else {
                let allowed = (Self.promptKeys.union(Self.providerKeys)).sorted().joined(separator: ", ")
                throw MemoryError.invalid("Unknown configuration key '\(key)'; allowed: \(allowed)")
            }
        }
        let data = try JSONEncoder().encode(JSONValue.object(overrides))
        try store.setSetting(Self.overridesKey, value: String(decoding: data, as: UTF8.self))
        shared.providers.withLock { $0 = next }
    }

    /// Applies the provider overrides persisted by earlier `POST /configure` calls (at start). Returns
    /// a message per section that could not be applied; those keep the configured providers.
    public func applyPersistedOverrides() -> [String] {
        guard let overrides = try? configurationOverrides() else { return ["The persisted configuration could not be read"] }
        var problems: [String] = []
        for key in ["llm", "embedder", "reranker"] {
            guard let value = overrides[key] else { continue }
            do {
                var next = shared.providers.withLock { $0 }
                if key == "reranker" {
                    let settings = value == .null ? nil : try ProviderSettings(json: value, section: key)
                    next.reranker = try settings.flatMap(buildReranker)
                    next.rerankerSettings = settings
                } else if key == "llm" {
                    if value == .null {
                        next.chatModel = nil
                        next.llmSettings = nil
                    } else {
                        let settings = try ProviderSettings(json: value, section: key)
                        next.chatModel = try requireFactory().chatModel(settings)
                        next.llmSettings = settings
                    }
                } else {
                    let settings = try ProviderSettings(json: value, section: key)
                    next.embedder = try requireFactory().embedder(settings)
                    next.embedderSettings = settings
                    try store.prepare(embeddingModel: next.embedder.modelID, dimension: next.embedder.dimension)
                }
                shared.providers.withLock { $0 = next }
            } catch {
                problems.append("The persisted '\(key)' configuration was not applied: \(error)")
            }
        }
        return problems
    }

    /// The reranker for `settings`: nil for `llm` (it scores with the chat model of each search's
    /// time), the factory's otherwise.
    private func buildReranker(_ settings: ProviderSettings) throws -> (any Reranker)? {
        if let topN = settings.topN, !(1...configuration.maxPageSize).contains(topN) {
            throw MemoryError.invalid("'reranker.config.top_n' must be between 1 and \(configuration.maxPageSize)")
        }
        return settings.provider == "llm" ? nil : try requireFactory().reranker(settings)
    }

    private func requireFactory() throws -> any ProviderFactory {
        guard let factory else { throw MemoryError.invalid("Providers cannot be changed at run time on this server") }
        return factory
    }

    /// `base` with `patch` merged in, objects recursively; other values replace.
    static func merged(_ base: JSONValue?, _ patch: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch, case .object(var result)? = base else { return patch }
        // A different provider starts from a clean config: settings of one API rarely suit another.
        if let provider = patchObject["provider"], provider != result["provider"] { return patch }
        for (key, value) in patchObject { result[key] = merged(result[key], value) }
        return .object(result)
    }
}
