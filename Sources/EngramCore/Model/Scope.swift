/// Whose memories: a user, an agent, a run (session), an app (mem0's platform), or a combination. At
/// least one is set.
public struct Scope: Sendable, Hashable, Codable {
    public var userID: String?
    public var agentID: String?
    public var runID: String?
    public var appID: String?

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case agentID = "agent_id"
        case runID = "run_id"
        case appID = "app_id"
    }

    /// Validates and normalises identifiers: trimmed, non-empty, no internal whitespace, at least one.
    public init(userID: String? = nil, agentID: String? = nil, runID: String? = nil, appID: String? = nil) throws(MemoryError) {
        self.userID = try Self.normalise(userID, name: "user_id")
        self.agentID = try Self.normalise(agentID, name: "agent_id")
        self.runID = try Self.normalise(runID, name: "run_id")
        self.appID = try Self.normalise(appID, name: "app_id")
        guard self.userID != nil || self.agentID != nil || self.runID != nil || self.appID != nil else { throw .missingScope }
    }

    /// A scope read back from a store, whose identifiers were validated when written.
    public init(stored userID: String?, agentID: String?, runID: String?, appID: String? = nil) {
        self.userID = userID
        self.agentID = agentID
        self.runID = runID
        self.appID = appID
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        userID = try container.decodeIfPresent(String.self, forKey: .userID)
        agentID = try container.decodeIfPresent(String.self, forKey: .agentID)
        runID = try container.decodeIfPresent(String.self, forKey: .runID)
        appID = try container.decodeIfPresent(String.self, forKey: .appID)
    }

    /// The identifiers that are set, by field name.
    public var fields: [(field: MemoryField, value: String)] {
        var result: [(MemoryField, String)] = []
        if let userID { result.append((.userID, userID)) }
        if let agentID { result.append((.agentID, agentID)) }
        if let runID { result.append((.runID, runID)) }
        if let appID { result.append((.appID, appID)) }
        return result
    }

    /// The scope as a filter: every set identifier must match.
    public var filter: Filter {
        .and(fields.map { .compare(.field($0.field), .eq, .string($0.value)) })
    }

    /// A single identifier, validated like the scope's (for path parameters such as an entity id).
    public static func normalisedID(_ value: String, name: String) throws(MemoryError) -> String {
        guard let id = try normalise(value, name: name) else { throw .invalid("\(name) must not be empty") }
        return id
    }

    static func normalise(_ value: String?, name: String) throws(MemoryError) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid("\(name) must not be empty") }
        guard !trimmed.contains(where: { $0.isWhitespace }) else { throw .invalid("\(name) must not contain whitespace") }
        guard trimmed.utf8.count <= 256 else { throw .invalid("\(name) is longer than 256 bytes") }
        return trimmed
    }
}

import Foundation
