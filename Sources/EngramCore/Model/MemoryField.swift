/// The fields of a memory that filters may address besides metadata keys.
public enum MemoryField: String, Sendable, Hashable, CaseIterable {
    case userID = "user_id"
    case agentID = "agent_id"
    case runID = "run_id"
    case appID = "app_id"
    case actorID = "actor_id"
    case role
    case createdAt = "created_at"
    case updatedAt = "updated_at"
    /// The memory's text (mem0 platform filters `text`/`keywords`).
    case text
    /// The memory's id (mem0 platform filter `memory_ids`).
    case id
    /// The day after which the memory is expired (`YYYY-MM-DD`, text order).
    case expirationDate = "expiration_date"

    /// The scope ids.
    public static let scopeIDs: [MemoryField] = [.userID, .agentID, .runID, .appID]

    /// The fields the open-source filter grammar names (other keys are metadata keys).
    public static let openSourceFields: Set<MemoryField> = [.userID, .agentID, .runID, .appID, .actorID, .role, .createdAt, .updatedAt]
}
