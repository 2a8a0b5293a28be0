import Foundation

extension MemoryService {
    /// Remembers messages: verbatim (`infer: false`, one memory per non-system message) or as facts
    /// extracted by the heuristic extractor, skipping facts the scope already holds (same hash, or
    /// cosine ≥ `duplicateSimilarity`). One add per scope runs at a time.
    public func add(_ request: AddRequest) throws -> [AddResult] {
        let expiration = try Self.validateDay(request.expirationDate)
        for message in request.messages { try Self.validateText(message.content) }
        let metadata = Self.cleanMetadata(request.metadata)
        return try scopeLocks.withLock(request.scope) {
            var drafts = request.infer ? try newFacts(request) : verbatim(request)
            guard !drafts.isEmpty else { return [] }
            let unembedded = drafts.indices.filter { drafts[$0].vector == nil }
            if !unembedded.isEmpty {
                let vectors = try embedder.embed(batch: unembedded.map { drafts[$0].text })
                for (index, vector) in zip(unembedded, vectors) { drafts[index].vector = vector }
            }
            guard drafts.allSatisfy({ $0.vector?.count == embedder.dimension }) else {
                throw EmbedderContractViolation(expected: drafts.count, dimension: embedder.dimension)
            }
            let time = now()
            var changes = MemoryChanges()
            for draft in drafts {
                let memory = Memory(
                    id: Self.newID(), text: draft.text, hash: Self.hash(draft.text), metadata: metadata,
                    scope: request.scope, actorID: draft.actorID, role: draft.role, createdAt: time, updatedAt: time,
                    expirationDate: expiration, project: project, embedding: draft.vector ?? [])
                changes.inserts.append(memory)
                changes.history.append(HistoryEvent(
                    id: Self.newID(), memoryID: memory.id, oldMemory: nil, newMemory: memory.text, event: .add,
                    createdAt: time, isDeleted: false, actorID: memory.actorID, role: memory.role,
                    scope: memory.scope, project: project))
            }
            try store.apply(changes)
            return changes.inserts.map { AddResult(id: $0.id, memory: $0.text, event: .add) }
        }
    }

    struct Draft {
        var text: String
        var actorID: String?
        var role: String?
        /// The embedding, when it was already computed (for deduplication).
        var vector: [Float]?
    }

    private func verbatim(_ request: AddRequest) -> [Draft] {
        request.messages.compactMap { message in
            let text = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
            guard message.role.lowercased() != "system", !text.isEmpty else { return nil }
            return Draft(text: text, actorID: message.name, role: message.role)
        }
    }

    /// Extracted facts minus those already known in the scope or repeated within the batch.
    private func newFacts(_ request: AddRequest) throws -> [Draft] {
        let agentOnly = request.scope.userID == nil && request.scope.agentID != nil
        let facts = HeuristicExtractor.facts(from: request.messages, agentScope: agentOnly)
        guard !facts.isEmpty else { return [] }
        let vectors = try embedder.embed(batch: facts)
        let visibility = Visibility(showExpired: true, includeSuperseded: false, today: today())
        var kept: [(text: String, vector: [Float])] = []
        for (fact, vector) in zip(facts, vectors) {
            let hash = Self.hash(fact)
            let nearest = try store.semanticSearch(vector, project: project, filter: request.scope.filter, visibility: visibility, limit: 3)
            let known = nearest.contains { $0.memory.hash == hash || ($0.semanticScore ?? $0.score) >= configuration.duplicateSimilarity }
            let repeated = kept.contains { Double(Self.dot($0.vector, vector)) >= configuration.duplicateSimilarity }
            if !known, !repeated { kept.append((fact, vector)) }
        }
        return kept.map { Draft(text: $0.text, actorID: nil, role: nil, vector: $0.vector) }
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
