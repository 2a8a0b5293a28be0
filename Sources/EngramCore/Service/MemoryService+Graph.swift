import Foundation

extension MemoryService {
    /// Whether an add writes the graph.
    func usesGraph(_ request: AddRequest) -> Bool {
        configuration.graph.enabled && request.enableGraph != false
    }

    /// The changes with what each new memory says in the graph, by the heuristic extractor, when the add
    /// uses the graph.
    func withHeuristicGraph(_ changes: MemoryChanges, _ request: AddRequest) -> MemoryChanges {
        guard usesGraph(request) else { return changes }
        var changes = changes
        changes.graph.statements += changes.inserts.map { heuristicGraph(of: $0, restates: false) }
        return changes
    }

    /// What a memory's text says by the heuristic extractor (`GraphExtractor`).
    func heuristicGraph(of memory: Memory, restates: Bool) -> MemoryGraph {
        let extraction = GraphExtractor.extract(memory.text, speaker: memory.actorID)
        return MemoryGraph(
            memoryID: memory.id, scope: memory.scope, entities: extraction.entities, relations: extraction.relations,
            restates: restates, selfNames: extraction.selfNames, speaker: extraction.speaker)
    }

    /// What a memory says with the relations a model stated for it: the entities its text names, and
    /// those relations.
    func modelGraph(of memory: Memory, relations: [RelationStatement], restates: Bool) -> MemoryGraph {
        MemoryGraph(
            memoryID: memory.id, scope: memory.scope, entities: EntitySpotter.entities(in: memory.text), relations: relations,
            restates: restates)
    }

    /// The graph of a memory whose text was edited through the API. Without an LLM its relations came
    /// from the heuristic extractor, which reads the new text again (relations it no longer finds
    /// close); with one, the model's relations are kept and only the entity links follow the text.
    func editedGraph(of memory: Memory) -> MemoryGraph {
        chatModel == nil ? heuristicGraph(of: memory, restates: true)
            : MemoryGraph(memoryID: memory.id, scope: memory.scope, entities: EntitySpotter.entities(in: memory.text), relations: [])
    }
}

extension MemoryService {
    /// A page of the entities mentioned by the memories matching `filter` (with `asOf`, by those that
    /// held then), most mentioned first.
    public func graphEntities(filter: Filter, asOf: Date? = nil, page: Int, pageSize: Int) throws -> Page<GraphEntity> {
        try checkPage(page, pageSize)
        return try store.allowingReplicaReads {
            try store.graphEntities(project: project, filter: filter, asOf: asOf, page: page, pageSize: pageSize)
        }
    }

    /// A page of the relations stated by the memories matching `filter`, newest first: the open ones, all
    /// of them with `includeHistory`, or those that held at `asOf`; with `entity`, only those with an
    /// endpoint of that name (or alias).
    public func graphRelations(
        filter: Filter, entity: String?, asOf: Date?, includeHistory: Bool, page: Int, pageSize: Int
    ) throws -> Page<GraphRelation> {
        try checkPage(page, pageSize)
        var key = entity.map(EntityName.key)
        if let entity {
            guard let cleaned = key, !cleaned.isEmpty, cleaned.utf8.count <= EntityName.maxBytes, !entity.utf8.contains(0) else {
                throw MemoryError.invalid("entity must be a name of at most \(EntityName.maxBytes) bytes")
            }
            if EntityName.selfWords.contains(cleaned) { key = EntityName.selfKey }
        }
        let query = RelationQuery(entityKey: key, asOf: asOf, includeHistory: includeHistory)
        return try store.allowingReplicaReads {
            try store.graphRelations(project: project, filter: filter, query: query, page: page, pageSize: pageSize)
        }
    }

    /// Removes a relation for good (its provenance with it).
    public func deleteRelation(id: String) throws {
        guard try store.graphRelation(id: id, project: project) != nil else { throw MemoryError.relationNotFound(id) }
        var changes = MemoryChanges()
        changes.graph.relationDeletions = [id]
        try applied(changes)
    }
}

extension MemoryService {
    /// Whether graph memory is on for this server (a call may still turn it off for itself).
    public var graphEnabled: Bool { configuration.graph.enabled }
}
