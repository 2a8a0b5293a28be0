import Foundation

/// The graph's write rules (DESIGN.md "Graph"), applied inside a store's write transaction through its
/// `GraphTransaction`, after the memory rows of the same change set:
/// - each mentioned entity resolves to the scope's entity of the same key, else of an alias, else of a
///   conservatively similar name (`EntityName.isSameName`, recorded as an alias), else a new one;
/// - a stated relation that is open already gains the memory as a source; otherwise it opens, valid from
///   the date the statement gives or the observation time;
/// - a functional relationship (`GraphVocabulary.functional`) with a new target closes the open one
///   when that one started earlier; when it started later, the new statement is older news and is
///   stored already closed at that start;
/// - a memory whose text changed keeps only the relations it still states: the others lose it as a
///   source, and close when no other current memory states them;
/// - a superseded memory's relations close unless another current memory states them;
/// - a deleted memory leaves the graph, taking the relations only it stated.
/// Nothing is deleted otherwise: closing sets `invalid_at` (the observation time) and `expired_at` (now).
public struct GraphWriter {
    /// Most entities of a scope the fuzzy match compares a new name with.
    static let fuzzyCandidates = 100

    let transaction: any GraphTransaction
    let project: String
    /// When the changes happened in the world (an add's observation time).
    let observedAt: Date
    /// When Engram learned them.
    let recordedAt: Date

    public init(transaction: any GraphTransaction, project: String, observedAt: Date, recordedAt: Date) {
        self.transaction = transaction
        self.project = project
        self.observedAt = observedAt
        self.recordedAt = recordedAt
    }

    /// Applies graph changes beside memory supersessions and deletions; returns the relations opened and
    /// closed.
    public func apply(_ changes: GraphChanges, supersessions: [String], deletions: [String]) throws -> GraphOutcome {
        var added: [String] = []
        var closed: [String] = []
        for statement in changes.statements {
            try apply(statement, added: &added, closed: &closed)
        }
        for restoration in changes.restorations { try restore(restoration) }
        for memoryID in supersessions {
            for (relation, supported) in try transaction.openRelations(statedBy: memoryID) where !supported {
                try transaction.close(relationID: relation.id, invalidAt: observedAt, expiredAt: recordedAt)
                closed.append(relation.id)
            }
        }
        for memoryID in deletions { try transaction.forget(memoryID: memoryID) }
        if !changes.relationDeletions.isEmpty {
            _ = try transaction.deleteRelations(ids: changes.relationDeletions, project: project)
        }
        let closedSet = Set(closed)
        let kept = added.filter { !closedSet.contains($0) }
        return GraphOutcome(added: try transaction.relations(ids: kept), closed: try transaction.relations(ids: unique(closed)))
    }

    /// Writes an exported graph back as it was (`RestoredGraph`).
    private func restore(_ graph: RestoredGraph) throws {
        let scopeKey = graph.scope.lockKey
        var ids: [String: String] = [:]
        func entityID(_ mention: EntityMention) throws -> String {
            if let id = ids[mention.key] { return id }
            let id = try transaction.entity(key: mention.key, project: project, scopeKey: scopeKey)?.id
                ?? transaction.upsertEntity(
                    NewEntity(id: UUID().uuidString.lowercased(), key: mention.key, name: mention.name, type: mention.type, at: graph.at),
                    project: project, scope: graph.scope, scopeKey: scopeKey)
            ids[mention.key] = id
            return id
        }
        let linked = try graph.entities.map(entityID)
        if !linked.isEmpty { try transaction.setLinks(memoryID: graph.memoryID, entityIDs: linked, replacing: false, at: graph.at) }
        for relation in graph.relations {
            let source = try entityID(EntityMention(name: relation.source, type: relation.sourceType))
            let target = try entityID(EntityMention(name: relation.target, type: relation.targetType))
            if try transaction.restateRelation(id: relation.id, by: graph.memoryID, project: project, at: graph.at) { continue }
            _ = try transaction.stateRelation(
                NewRelation(
                    id: relation.id, sourceID: source, relationship: relation.relationship, targetID: target, fact: relation.fact,
                    validAt: relation.validAt, invalidAt: relation.invalidAt, createdAt: relation.createdAt,
                    expiredAt: relation.expiredAt, origin: relation.origin),
                by: graph.memoryID, project: project, scope: graph.scope)
        }
    }

    private func apply(_ statement: MemoryGraph, added: inout [String], closed: inout [String]) throws {
        let scopeKey = statement.scope.lockKey
        // The entities the scope knows already, in one read; the others are resolved one by one.
        let mentions = statement.entities + statement.relations.flatMap { [$0.source, $0.target] } + (statement.speaker.map { [$0] } ?? [])
        var known = try transaction.entities(keys: Array(Set(mentions.map(\.key))).sorted(), project: project, scopeKey: scopeKey)
        var resolved: [String: (id: String, type: String)] = [:]
        func entity(_ mention: EntityMention) throws -> (id: String, type: String) {
            if let (id, type) = known.removeValue(forKey: mention.key) {
                let entity = type == "entity" && mention.type != "entity" ? (id, try refined(id, mention.type)) : (id, type)
                resolved[mention.key] = entity
                return entity
            }
            if let entity = resolved[mention.key] { return entity }
            let entity = try self.entity(for: mention, scope: statement.scope, scopeKey: scopeKey)
            resolved[mention.key] = entity
            return entity
        }
        func resolve(_ mention: EntityMention) throws -> String { try entity(mention).id }
        // Typed relations' endpoints and the speaker are always linked; another person the memory only
        // names is not (`MemoryGraph.speaker`), nor are its `related_to` links.
        var linked: [String] = []
        var unlinked: Set<String> = []
        func link(_ id: String) { if !linked.contains(id) { linked.append(id) } }
        if let speaker = statement.speaker { link(try resolve(speaker)) }
        for relation in statement.relations where relation.relationship != GraphVocabulary.coOccurrence {
            link(try resolve(relation.source))
            link(try resolve(relation.target))
        }
        for mention in statement.entities + statement.relations.flatMap({ [$0.source, $0.target] }) {
            let (id, type) = try entity(mention)
            guard !linked.contains(id), !unlinked.contains(id) else { continue }
            if let speaker = statement.speaker, mention.key != speaker.key, type == "person" {
                unlinked.insert(id)
            } else {
                link(id)
            }
        }
        if !statement.selfNames.isEmpty {
            let user = try resolve(EntityMention(name: EntityName.selfKey, type: "person"))
            for name in statement.selfNames {
                let key = EntityName.key(name)
                if !key.isEmpty { try transaction.addAlias(key, entityID: user, project: project, scopeKey: scopeKey) }
            }
            link(user)
        }
        try transaction.setLinks(memoryID: statement.memoryID, entityIDs: linked, replacing: statement.restates, at: recordedAt)

        var stated: Set<String> = []
        for relation in statement.relations {
            let source = try resolve(relation.source)
            let target = try resolve(relation.target)
            guard source != target, !unlinked.contains(source), !unlinked.contains(target) else { continue }
            let validAt = relation.validAt ?? observedAt
            var invalidAt: Date?
            if relation.isFunctional {
                for other in try transaction.openRelations(sourceID: source, relationship: relation.relationship)
                where other.targetID != target {
                    if let start = other.validAt, start > validAt {
                        invalidAt = min(invalidAt ?? start, start)
                    } else {
                        try transaction.close(relationID: other.id, invalidAt: validAt, expiredAt: recordedAt)
                        closed.append(other.id)
                    }
                }
            }
            let row = NewRelation(
                id: MemoryService.newID(), sourceID: source, relationship: relation.relationship, targetID: target,
                fact: relation.fact, validAt: validAt, invalidAt: invalidAt, createdAt: recordedAt,
                expiredAt: invalidAt == nil ? nil : recordedAt, origin: relation.origin)
            let (id, inserted) = try transaction.stateRelation(row, by: statement.memoryID, project: project, scope: statement.scope)
            if inserted { added.append(id) }
            stated.insert(id)
        }

        guard statement.restates else { return }
        for (relation, supported) in try transaction.openRelations(statedBy: statement.memoryID) where !stated.contains(relation.id) {
            if supported {
                try transaction.removeSource(relationID: relation.id, memoryID: statement.memoryID)
            } else {
                try transaction.close(relationID: relation.id, invalidAt: observedAt, expiredAt: recordedAt)
                closed.append(relation.id)
            }
        }
    }

    /// Gives an entity of the generic type the mention's more specific one; returns it.
    private func refined(_ id: String, _ type: String) throws -> String {
        try transaction.refineType(id: id, type: type)
        return type
    }

    /// The scope's entity for a mention it does not know by key or alias (id and type): a similar name
    /// (one sharing its first two characters), else a new entity.
    private func entity(for mention: EntityMention, scope: Scope, scopeKey: String) throws -> (id: String, type: String) {
        if !mention.isSelf, mention.key.count >= 2 {
            let candidates = try transaction.entityKeys(
                prefix: String(mention.key.prefix(2)), project: project, scopeKey: scopeKey, limit: Self.fuzzyCandidates)
            if let match = candidates.first(where: { EntityName.isSameName($0.key, mention.key) }),
               let found = try transaction.entity(key: match.key, project: project, scopeKey: scopeKey) {
                try transaction.addAlias(mention.key, entityID: match.id, project: project, scopeKey: scopeKey)
                return found
            }
        }
        let name = mention.isSelf ? (scope.userID ?? scope.agentID ?? EntityName.selfKey) : mention.name
        let entity = NewEntity(id: MemoryService.newID(), key: mention.key, name: name, type: mention.type, at: recordedAt)
        let id = try transaction.upsertEntity(entity, project: project, scope: scope, scopeKey: scopeKey)
        if mention.isSelf, let user = scope.userID.map(EntityName.key), user != EntityName.selfKey, !user.isEmpty {
            try transaction.addAlias(user, entityID: id, project: project, scopeKey: scopeKey)
        }
        return (id, mention.type)
    }

    private func unique(_ ids: [String]) -> [String] {
        var seen: Set<String> = []
        return ids.filter { seen.insert($0).inserted }
    }
}
