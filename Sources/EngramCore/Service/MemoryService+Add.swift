import Foundation

extension MemoryService {
    /// Remembers messages: verbatim (`infer: false`, one memory per non-system message) or as facts
    /// extracted by the heuristic extractor, skipping facts the scope already holds (same hash, or
    /// cosine ≥ `duplicateSimilarity`).
    ///
    /// Texts are embedded before any lock is taken. Inferred adds for one scope then run one at a time
    /// (check for duplicates, then write), so two concurrent adds cannot both store the same fact;
    /// verbatim adds store what they are given and need no such order.
    public func add(_ request: AddRequest) throws -> [AddResult] {
        let expiration = try Self.validateDay(request.expirationDate)
        for message in request.messages { try Self.validateText(message.content) }
        let metadata = Self.cleanMetadata(request.metadata)
        let write = { (drafts: [Draft]) throws -> [AddResult] in
            guard !drafts.isEmpty else { return [] }
            let changes = self.insertion(of: drafts, request: request, metadata: metadata, expiration: expiration)
            try self.store.apply(changes)
            return changes.inserts.map { AddResult(id: $0.id, memory: $0.text, event: .add) }
        }
        guard request.infer else { return try write(try embedded(verbatim(request))) }
        let agentOnly = request.scope.userID == nil && request.scope.agentID != nil
        let facts = try embedded(HeuristicExtractor.facts(from: request.messages, agentScope: agentOnly).map {
            Draft(text: $0, actorID: nil, role: nil)
        })
        return try scopeLocks.withLock(request.scope) {
            try store.withScopeLock(Self.lockKey(request.scope), project: project) { try write(try unknown(facts, in: request.scope)) }
        }
    }

    struct Draft {
        var text: String
        var actorID: String?
        var role: String?
        var vector: [Float] = []
    }

    private func verbatim(_ request: AddRequest) -> [Draft] {
        request.messages.compactMap { message in
            let text = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
            guard message.role.lowercased() != "system", !text.isEmpty else { return nil }
            return Draft(text: text, actorID: message.name, role: message.role)
        }
    }

    /// The drafts with their embeddings, in one batch.
    private func embedded(_ drafts: [Draft]) throws -> [Draft] {
        guard !drafts.isEmpty else { return [] }
        let vectors = try embedder.embed(batch: drafts.map(\.text))
        guard vectors.count == drafts.count, vectors.allSatisfy({ $0.count == embedder.dimension }) else {
            throw EmbedderContractViolation(expected: drafts.count, dimension: embedder.dimension)
        }
        return zip(drafts, vectors).map { draft, vector in
            var draft = draft
            draft.vector = vector
            return draft
        }
    }

    /// The facts the scope does not hold yet (by hash or similarity), without repeats within the batch.
    private func unknown(_ facts: [Draft], in scope: Scope) throws -> [Draft] {
        let visibility = Visibility(showExpired: true, includeSuperseded: false, today: today())
        var kept: [Draft] = []
        for fact in facts {
            let hash = Self.hash(fact.text)
            let nearest = try store.semanticSearch(fact.vector, project: project, filter: scope.filter, visibility: visibility, limit: 3)
            let known = nearest.contains { $0.memory.hash == hash || ($0.semanticScore ?? $0.score) >= configuration.duplicateSimilarity }
            let repeated = kept.contains { Double(Self.dot($0.vector, fact.vector)) >= configuration.duplicateSimilarity }
            if !known, !repeated { kept.append(fact) }
        }
        return kept
    }

    /// New memories and their ADD history rows.
    private func insertion(of drafts: [Draft], request: AddRequest, metadata: [String: JSONValue]?, expiration: String?) -> MemoryChanges {
        let time = now()
        var changes = MemoryChanges()
        for draft in drafts {
            let memory = Memory(
                id: Self.newID(), text: draft.text, hash: Self.hash(draft.text), metadata: metadata,
                scope: request.scope, actorID: draft.actorID, role: draft.role, createdAt: time, updatedAt: time,
                expirationDate: expiration, project: project, embedding: draft.vector)
            changes.inserts.append(memory)
            changes.history.append(HistoryEvent(
                id: Self.newID(), memoryID: memory.id, oldMemory: nil, newMemory: memory.text, event: .add,
                createdAt: time, isDeleted: false, actorID: memory.actorID, role: memory.role,
                scope: memory.scope, project: project))
        }
        return changes
    }

    /// The scope as a lock key: each identifier labelled, so `user_id=a` and `agent_id=a` differ.
    static func lockKey(_ scope: Scope) -> String {
        "user_id=\(scope.userID ?? "")\u{0}agent_id=\(scope.agentID ?? "")\u{0}run_id=\(scope.runID ?? "")"
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for index in 0..<min(a.count, b.count) { sum += a[index] * b[index] }
        return sum
    }
}

/// The embedder returned fewer vectors than texts, or vectors of the wrong size: a bug, answered 500.
struct EmbedderContractViolation: Error, CustomStringConvertible {
    let expected: Int
    let dimension: Int

    var description: String { "the embedder did not return \(expected) vectors of dimension \(dimension)" }
}
