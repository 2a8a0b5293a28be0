import Foundation

/// A category memories may be filed under, with what it covers (which the offline classifier embeds and
/// the LLM reads).
public struct CategoryDefinition: Sendable, Equatable, Codable {
    public var name: String
    public var description: String

    public init(name: String, description: String) {
        self.name = name
        self.description = description
    }
}

/// The settings of one project (mem0's platform project): instructions for inference, custom
/// categories, profile settings, and the platform's other fields kept as given. Stored as the
/// store-wide setting `project/<name>`, so every instance on a shared store reads the same.
public struct ProjectSettings: Sendable, Equatable, Codable {
    public var customInstructions: String?
    /// Replaces the default categories for new memories when set.
    public var customCategories: [CategoryDefinition]?
    public var profile: ProfileSettings?
    /// Other fields of the platform's project (`memory_depth`, `usecase_setting`, `multilingual`,
    /// `agent_custom_instructions`), stored and answered back as they were set.
    public var other: [String: JSONValue]
    public var createdAt: Date?
    public var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case customInstructions = "custom_instructions"
        case customCategories = "custom_categories"
        case profile, other
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init() { other = [:] }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        customInstructions = try container.decodeIfPresent(String.self, forKey: .customInstructions)
        customCategories = try container.decodeIfPresent([CategoryDefinition].self, forKey: .customCategories)
        profile = try container.decodeIfPresent(ProfileSettings.self, forKey: .profile)
        other = try container.decodeIfPresent([String: JSONValue].self, forKey: .other) ?? [:]
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
    }

    /// The categories new memories are filed under.
    public var categories: [CategoryDefinition] { customCategories ?? Categories.defaults }
}

/// Whether and how a project keeps structured user profiles (mem0's `/v2/profiles/settings/`).
public struct ProfileSettings: Sendable, Equatable, Codable {
    public var enabled: Bool
    /// The JSON Schema a profile follows.
    public var schema: JSONValue?
    public var customInstructions: String?

    enum CodingKeys: String, CodingKey {
        case enabled, schema
        case customInstructions = "custom_instructions"
    }

    public init(enabled: Bool = false, schema: JSONValue? = nil, customInstructions: String? = nil) {
        self.enabled = enabled
        self.schema = schema
        self.customInstructions = customInstructions
    }
}

extension MemoryService {
    static let projectSettingPrefix = "project/"

    /// This project's settings (defaults when never set).
    public func projectSettings() throws -> ProjectSettings {
        guard let text = try store.setting(Self.projectSettingPrefix + project) else { return ProjectSettings() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode(ProjectSettings.self, from: Data(text.utf8))) ?? ProjectSettings()
    }

    /// Changes this project's settings with `change` and stores them.
    @discardableResult
    public func updateProjectSettings(_ change: (inout ProjectSettings) throws -> Void) throws -> ProjectSettings {
        var settings = try projectSettings()
        try change(&settings)
        let time = now()
        settings.createdAt = settings.createdAt ?? time
        settings.updatedAt = time
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        try store.setSetting(Self.projectSettingPrefix + project, value: String(decoding: try encoder.encode(settings), as: UTF8.self))
        return settings
    }
}
