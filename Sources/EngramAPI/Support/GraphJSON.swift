import EngramCore
import Foundation

/// The JSON shapes of graph entities and relations (API.md "Graph"). A relation carries its target
/// twice, as `target` and `destination`, because mem0's clients read one or the other.
enum GraphJSON {
    static func relation(_ relation: GraphRelation, score: Double? = nil) -> JSONValue {
        func time(_ date: Date?) -> JSONValue { date.map { .string(Timestamp.format($0)) } ?? .null }
        var object: [String: JSONValue] = [
            "id": .string(relation.id),
            "source": .string(relation.source),
            "source_type": .string(relation.sourceType),
            "relationship": .string(relation.relationship),
            "target": .string(relation.target),
            "destination": .string(relation.target),
            "target_type": .string(relation.targetType),
            "fact": relation.fact.map { .string($0) } ?? .null,
            "valid_at": time(relation.validAt),
            "invalid_at": time(relation.invalidAt),
            "created_at": time(relation.createdAt),
            "expired_at": time(relation.expiredAt),
            "memory_ids": .array(relation.memoryIDs.map { .string($0) }),
            "origin": .string(relation.origin.rawValue),
        ]
        if let score { object["score"] = .number(MemoryJSON.rounded(score)) }
        return .object(object)
    }

    static func entity(_ entity: GraphEntity) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(entity.id),
            "name": .string(entity.name),
            "type": .string(entity.type),
            "mentions": .number(Double(entity.mentions)),
            "aliases": .array(entity.aliases.map { .string($0) }),
            "created_at": .string(Timestamp.format(entity.createdAt)),
            "updated_at": .string(Timestamp.format(entity.updatedAt)),
        ]
        if let value = entity.scope.userID { object["user_id"] = .string(value) }
        if let value = entity.scope.agentID { object["agent_id"] = .string(value) }
        if let value = entity.scope.runID { object["run_id"] = .string(value) }
        return .object(object)
    }
}
