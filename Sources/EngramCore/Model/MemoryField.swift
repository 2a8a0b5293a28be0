/// The fields of a memory that filters may address besides metadata keys.
public enum MemoryField: String, Sendable, Hashable, CaseIterable {
    case userID = "user_id"
    case agentID = "agent_id"
    case runID = "run_id"
    case actorID = "actor_id"
    case role
    case createdAt = "created_at"
    case updatedAt = "updated_at"
}
