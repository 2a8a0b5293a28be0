import Foundation

/// What an add did: the changes, and warnings about input it could not use (such as images when the
/// model has no vision).
public struct AddOutcome: Sendable, Equatable, Codable {
    public var results: [AddResult]
    public var warnings: [String]
    /// The relations the add opened and closed; nil when the graph was off for it. Not kept in an async
    /// add's results (they are read later from the graph routes, as on mem0's platform).
    public var relations: GraphOutcome?
    /// The event recording the add (`addRecordingEvent`), nil otherwise.
    public var eventID: String?

    enum CodingKeys: String, CodingKey {
        case results, warnings
    }

    public init(results: [AddResult], warnings: [String] = [], relations: GraphOutcome? = nil) {
        self.results = results
        self.warnings = warnings
        self.relations = relations
    }
}

extension MemoryService {
    /// Longest `prompt`, `includes` or `excludes` accepted.
    public static let maxInstructionBytes = 64 * 1024

    /// Remembers messages:
    /// - `infer: false`: one memory per non-system message, verbatim;
    /// - `memory_type: procedural_memory`: one summary written by the LLM;
    /// - `infer: true` with an LLM: the inference pipeline (extract, reconcile, supersede);
    /// - `infer: true` without one: the heuristic extractor, skipping facts the scope already holds.
    ///
    /// Inferred adds for one scope run one at a time (read what is known, decide, write), so two
    /// concurrent adds cannot both store the same fact. A failure at any step writes nothing.
    public func add(_ request: AddRequest) throws -> AddOutcome {
        try add(request, job: nil)
    }

    /// An add that is also recorded as a finished job (in the same transaction), so its outcome can be
    /// read back as an event like an async add's: `eventID` of the outcome.
    public func addRecordingEvent(_ request: AddRequest) throws -> AddOutcome {
        try validate(request)
        let payload = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        return try add(request, job: .records(AddJob(id: Self.newID(), project: project, payload: payload, createdAt: now())))
    }

    /// How an add relates to a job: it finishes a queued one, or it is recorded as one already done.
    enum JobLink {
        case finishes(String)
        case records(AddJob)
    }

    /// Checks what can be checked without doing the work, so an async add is refused at once, not
    /// failed later.
    public func validate(_ request: AddRequest) throws {
        _ = try Self.validateDay(request.expirationDate)
        for message in request.messages {
            try Self.validateText(message.content)
            if message.role.utf8.contains(0) { throw MemoryError.invalid("Message roles must not contain NUL characters") }
        }
        for (name, text) in [("prompt", request.prompt), ("includes", request.includes), ("excludes", request.excludes)] {
            guard let text else { continue }
            if text.utf8.contains(0) || text.utf8.count > Self.maxInstructionBytes {
                throw MemoryError.invalid("\(name) must be at most 64 KiB of text without NUL characters")
            }
        }
        if request.memoryType == .procedural, chatModel == nil {
            throw MemoryError.invalid("memory_type 'procedural_memory' needs an LLM provider, and none is configured")
        }
    }

    /// An add, finishing `job` (when given) in the same transaction as its changes.
    func add(_ request: AddRequest, job: JobLink?) throws -> AddOutcome {
        try validate(request)
        let chat = chatModel
        var warnings: [String] = []
        var request = request
        request.metadata = Self.cleanMetadata(request.metadata)
        request.messages = try describingImages(request.messages, chat: chat, warnings: &warnings)
        if request.memoryType == .procedural, let chat {
            return try procedural(request, chat: chat, job: job, warnings: warnings)
        }
        guard request.infer else {
            let drafts = try embedded(verbatim(request))
            return try commit(withHeuristicGraph(insertion(of: drafts, request: request), request), warnings: warnings, job: job,
                              graph: usesGraph(request))
        }
        if let chat { return try inferred(request, chat: chat, job: job, warnings: warnings) }
        let agentOnly = request.scope.userID == nil && request.scope.agentID != nil
        let facts = try embedded(HeuristicExtractor.facts(from: request.messages, agentScope: agentOnly).map {
            Draft(text: $0, actorID: nil, role: nil)
        })
        let key = request.scope.lockKey
        return try scopeLocks.withLock(project + "\u{1}" + key) {
            try store.withScopeLock(key, project: project) {
                let changes = try insertion(of: try unknown(facts, in: request.scope), request: request)
                return try commit(withHeuristicGraph(changes, request), warnings: warnings, job: job, graph: usesGraph(request))
            }
        }
    }

    struct Draft {
        var text: String
        var actorID: String?
        var role: String?
        var vector: [Float] = []
    }

    /// Applies the changes (and finishes the job with their results) in one transaction; with `graph`,
    /// the outcome carries the relations opened and closed.
    func commit(
        _ changes: MemoryChanges, results: [AddResult]? = nil, warnings: [String], job: JobLink?, graph: Bool = false
    ) throws -> AddOutcome {
        var outcome = AddOutcome(
            results: results ?? changes.inserts.map { AddResult(id: $0.id, memory: $0.text, event: .add) }, warnings: warnings)
        var changes = changes
        switch job {
        case .finishes(let id)?:
            let encoded = try JSONEncoder().encode(outcome)
            changes.completedJob = JobCompletion(id: id, status: .succeeded, results: String(decoding: encoded, as: UTF8.self), at: now())
        case .records(var record)?:
            let encoded = try JSONEncoder().encode(outcome)
            let time = now()
            record.status = .succeeded
            record.results = String(decoding: encoded, as: UTF8.self)
            record.attempts = 1
            (record.startedAt, record.completedAt) = (record.createdAt, time)
            changes.recordedJob = record
            outcome.eventID = record.id
        case nil:
            break
        }
        let relations = try applied(changes)
        if graph { outcome.relations = relations }
        return outcome
    }

    /// Applies changes with this engine's project and clock, with the webhook events they raise.
    @discardableResult
    func applied(_ changes: MemoryChanges) throws -> GraphOutcome {
        var changes = try categorised(changes)
        changes.project = project
        changes.recordedAt = changes.recordedAt ?? now()
        changes.webhookDeliveries = try webhookDeliveries(for: changes)
        let outcome = try store.apply(changes)
        if !changes.webhookDeliveries.isEmpty { shared.webhooks.signal.notify() }
        return outcome
    }

    private func verbatim(_ request: AddRequest) -> [Draft] {
        request.messages.compactMap { message in
            let text = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
            guard message.role.lowercased() != "system", !text.isEmpty else { return nil }
            return Draft(text: text, actorID: message.name, role: message.role)
        }
    }

    /// The drafts with their embeddings, in one batch.
    func embedded(_ drafts: [Draft]) throws -> [Draft] {
        guard !drafts.isEmpty else { return [] }
        let vectors = try embedded(texts: drafts.map(\.text))
        return zip(drafts, vectors).map { draft, vector in
            var draft = draft
            draft.vector = vector
            return draft
        }
    }

    /// One vector per text, checked against the embedder's contract.
    func embedded(texts: [String]) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let embedder = self.embedder
        let vectors = try embedder.embed(batch: texts)
        guard vectors.count == texts.count, vectors.allSatisfy({ $0.count == embedder.dimension }) else {
            throw EmbedderContractViolation(expected: texts.count, dimension: embedder.dimension)
        }
        return vectors
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
    func insertion(of drafts: [Draft], request: AddRequest, extraMetadata: [String: JSONValue] = [:]) throws -> MemoryChanges {
        let expiration = try Self.validateDay(request.expirationDate)
        var metadata = request.metadata ?? [:]
        metadata.merge(extraMetadata) { _, new in new }
        let time = now()
        var changes = MemoryChanges()
        changes.observedAt = request.timestamp ?? time
        changes.recordedAt = time
        changes.categoryDefinitions = request.categories
        for draft in drafts {
            let memory = Memory(
                id: Self.newID(), text: draft.text, hash: Self.hash(draft.text), metadata: metadata.isEmpty ? nil : metadata,
                scope: request.scope, actorID: draft.actorID, role: draft.role, createdAt: time, updatedAt: time,
                expirationDate: expiration, project: project, embedding: draft.vector)
            changes.inserts.append(memory)
            changes.history.append(historyEvent(memory.id, old: nil, new: memory.text, .add, of: memory, at: time))
        }
        return changes
    }

    /// A history row for a change to `memory`.
    func historyEvent(_ memoryID: String, old: String?, new: String?, _ kind: HistoryEvent.Kind, of memory: Memory, at time: Date,
                      isDeleted: Bool = false) -> HistoryEvent {
        HistoryEvent(
            id: Self.newID(), memoryID: memoryID, oldMemory: old, newMemory: new, event: kind, createdAt: time,
            isDeleted: isDeleted, actorID: memory.actorID, role: memory.role, scope: memory.scope, project: project)
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
