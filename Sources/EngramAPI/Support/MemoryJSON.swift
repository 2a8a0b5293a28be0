import EngramCore
import Foundation

/// The JSON shapes of API.md for memories, history rows and entities. Optional keys appear only when set.
enum MemoryJSON {
    static func item(_ memory: Memory, score: ScoredMemory? = nil, explain: Bool = false) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(memory.id),
            "memory": .string(memory.text),
            "hash": .string(memory.hash),
            "metadata": memory.metadata.map { .object($0) } ?? .null,
            "created_at": .string(Timestamp.format(memory.createdAt)),
            "updated_at": .string(Timestamp.format(memory.updatedAt)),
            "categories": .array(memory.categories.map(JSONValue.string)),
        ]
        if let value = memory.scope.userID { object["user_id"] = .string(value) }
        if let value = memory.scope.agentID { object["agent_id"] = .string(value) }
        if let value = memory.scope.runID { object["run_id"] = .string(value) }
        if let value = memory.scope.appID { object["app_id"] = .string(value) }
        if let value = memory.actorID { object["actor_id"] = .string(value) }
        if let value = memory.role { object["role"] = .string(value) }
        if let value = memory.expirationDate { object["expiration_date"] = .string(value) }
        if memory.state != .active { object["state"] = .string(memory.state.rawValue) }
        if let score {
            object["score"] = .number(rounded(score.score))
            if explain { object["score_details"] = scoreDetails(score) }
        }
        return .object(object)
    }

    /// The parts of a search result's score, for `explain`: `rerank_score` (the reranker's own scale)
    /// only when the search was reranked.
    static func scoreDetails(_ score: ScoredMemory) -> JSONValue {
        var details: [String: JSONValue] = [
            "semantic_score": .number(rounded(score.semanticScore ?? 0)),
            "keyword_score": .number(rounded(score.keywordScore ?? 0)),
            "graph_score": .number(rounded(score.graphScore ?? 0)),
            "final_score": .number(rounded(score.score)),
        ]
        if let rerank = score.rerankScore { details["rerank_score"] = .number(rounded(rerank)) }
        return .object(details)
    }

    static func history(_ event: HistoryEvent) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(event.id),
            "memory_id": .string(event.memoryID),
            "old_memory": event.oldMemory.map { .string($0) } ?? .null,
            "new_memory": event.newMemory.map { .string($0) } ?? .null,
            "event": .string(event.event.rawValue),
            "created_at": .string(Timestamp.format(event.createdAt)),
            "is_deleted": .bool(event.isDeleted),
            "actor_id": event.actorID.map { .string($0) } ?? .null,
            "role": event.role.map { .string($0) } ?? .null,
        ]
        if let value = event.scope.userID { object["user_id"] = .string(value) }
        if let value = event.scope.agentID { object["agent_id"] = .string(value) }
        if let value = event.scope.runID { object["run_id"] = .string(value) }
        if let value = event.scope.appID { object["app_id"] = .string(value) }
        return .object(object)
    }

    static func entity(_ entity: Entity) -> JSONValue {
        .object([
            "id": .string(entity.id),
            "type": .string(entity.kind.rawValue),
            "total_memories": .number(Double(entity.totalMemories)),
            "created_at": .string(Timestamp.format(entity.createdAt)),
            "updated_at": .string(Timestamp.format(entity.updatedAt)),
        ])
    }

    /// Six decimals are plenty for a score and keep responses stable.
    static func rounded(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }
}
