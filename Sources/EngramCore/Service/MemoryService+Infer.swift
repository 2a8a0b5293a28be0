import Foundation

extension MemoryService {
    /// Most recent messages whose embeddings look up related memories.
    static let maxQueryMessages = 8

    /// The inference pipeline (DESIGN.md "Inference"): retrieve the scope's memories related to the new
    /// messages, ask the model once for operations over them (shown under small integer ids), then
    /// apply the operations in one transaction. Runs under the scope's lock from retrieval to write.
    func inferred(_ request: AddRequest, chat: any ChatModel, job: JobLink?, warnings: [String]) throws -> AddOutcome {
        let conversation = request.messages.filter { !$0.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        let spoken = conversation.filter { $0.role.lowercased() != "system" }
        guard !spoken.isEmpty else { return try commit(MemoryChanges(), warnings: warnings, job: job) }
        // One query from the recent messages, newest first (the embedder keeps the start of a long
        // text). Embedding is the slow local step: do it before taking the lock.
        let recent = spoken.suffix(Self.maxQueryMessages).reversed().map(\.content)
        let queryVectors = try embedded(texts: [recent.joined(separator: "\n")])
        let keywordQuery = String(recent.joined(separator: " ").prefix(4000))
        let overrides = (try? configurationOverrides()) ?? [:]
        let settings = try projectSettings()
        let key = request.scope.lockKey
        return try scopeLocks.withLock(project + "\u{1}" + key) {
            try store.withScopeLock(key, project: project) {
                let context = try related(to: queryVectors, keywords: keywordQuery, in: request.scope)
                let prompt = InferencePrompt(
                    existing: context.map(\.text), messages: conversation, observedAt: request.timestamp ?? now(),
                    agentScope: request.scope.userID == nil && request.scope.agentID != nil,
                    instructions: request.prompt ?? settings.customInstructions ?? promptSetting("custom_instructions", overrides: overrides),
                    extractionGuide: promptSetting("custom_fact_extraction_prompt", overrides: overrides),
                    reconciliationGuide: promptSetting("custom_update_memory_prompt", overrides: overrides),
                    includes: request.includes, excludes: request.excludes, categories: request.categories ?? settings.categories)
                let operations = try askForOperations(chat, prompt.chatMessages)
                var warnings = warnings
                var (changes, results) = try plan(operations, context: context, request: request, warnings: &warnings)
                Self.file(&changes, as: operations, known: Set((request.categories ?? settings.categories).map(\.name)))
                return try commit(changes, results: results, warnings: warnings, job: job, graph: usesGraph(request))
            }
        }
    }

    /// The scope's active, unexpired memories most related to the query: semantic matches of each
    /// query vector and keyword matches of the text, fused, best `inferenceContextSize`.
    private func related(to vectors: [[Float]], keywords: String, in scope: Scope) throws -> [Memory] {
        let limit = configuration.inferenceContextSize
        guard limit > 0 else { return [] }
        let visibility = Visibility(showExpired: false, includeSuperseded: false, today: today())
        var byID: [String: Memory] = [:]
        var cosine: [String: Double] = [:]
        for vector in vectors {
            for hit in try store.semanticSearch(vector, project: project, filter: scope.filter, visibility: visibility, limit: limit) {
                byID[hit.memory.id] = hit.memory
                cosine[hit.memory.id] = max(cosine[hit.memory.id] ?? -1, hit.semanticScore ?? hit.score)
            }
        }
        var bm25: [String: Double] = [:]
        for hit in try store.keywordSearch(keywords, project: project, filter: scope.filter, visibility: visibility, limit: limit) {
            byID[hit.memory.id] = byID[hit.memory.id] ?? hit.memory
            bm25[hit.memory.id] = hit.keywordScore ?? hit.score
            if cosine[hit.memory.id] == nil {
                cosine[hit.memory.id] = vectors.map { Double(Self.dot($0, hit.memory.embedding)) }.max() ?? 0
            }
        }
        let candidates = byID.keys.map { ScoreFusion.Candidate(id: $0, cosine: cosine[$0] ?? 0, bm25: bm25[$0]) }
        // Oldest first among the chosen, so ids follow the order facts were learnt.
        return configuration.fusion.rank(candidates, threshold: 0, limit: limit).compactMap { byID[$0.id] }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// One call for operations; an unusable answer is sent back once with the reason, then the add
    /// fails with `provider_unavailable`.
    private func askForOperations(_ chat: any ChatModel, _ messages: [ChatMessage]) throws -> [MemoryOperation] {
        var messages = messages
        var reason = ""
        for _ in 0..<2 {
            let answer = try chat.complete(ChatRequest(messages: messages, jsonOutput: true))
            do {
                return try MemoryOperation.parse(answer.text)
            } catch {
                reason = error.description
                messages.append(ChatMessage(role: .assistant, text: String(answer.text.prefix(8000))))
                messages.append(ChatMessage(role: .user, text:
                    "That reply could not be used: \(reason). Reply again with only the JSON object in the format described."))
            }
        }
        throw ProviderError(.unavailable, "The model's reply could not be used after a retry: \(reason)")
    }

    /// The memory changes for the model's operations. Ids the model made up or repeated are ignored;
    /// an ADD that repeats a known or just-added fact (same text, or cosine ≥ `duplicateSimilarity`) is
    /// dropped; an UPDATE to the same text is a NONE; a DELETE supersedes.
    private func plan(
        _ operations: [MemoryOperation], context: [Memory], request: AddRequest, warnings: inout [String]
    ) throws -> (MemoryChanges, [AddResult]) {
        var touched = Set<Int>()
        var adds: [(text: String, relations: [RelationStatement])] = []
        var updates: [(index: Int, text: String, relations: [RelationStatement])] = []
        var deletes: [Int] = []
        /// Relations stated about memories that stay as they are.
        var restated: [(memory: Memory, relations: [RelationStatement])] = []
        let graph = usesGraph(request)
        func target(_ id: String?) -> Int? {
            guard let id, let index = Int(id), context.indices.contains(index), !touched.contains(index) else { return nil }
            return index
        }
        for operation in operations {
            if graph { warnings += operation.droppedRelations }
            switch operation.kind {
            case .add:
                guard let text = operation.text else { continue }
                if let position = adds.firstIndex(where: { $0.text == text }) {
                    adds[position].relations += operation.relations
                } else {
                    adds.append((text, operation.relations))
                }
            case .update:
                guard let index = target(operation.id), let text = operation.text else { continue }
                guard text != context[index].text else {
                    if !operation.relations.isEmpty { restated.append((context[index], operation.relations)) }
                    continue
                }
                touched.insert(index)
                updates.append((index, text, operation.relations))
            case .delete:
                guard let index = target(operation.id) else { continue }
                touched.insert(index)
                deletes.append(index)
            case .none:
                continue
            }
        }
        let vectors = try embedded(texts: adds.map(\.text) + updates.map(\.text))
        let time = now()
        var changes = MemoryChanges()
        var results: [AddResult] = []

        let kept = context.indices.filter { !touched.contains($0) }.map { context[$0] }
        var added: [(draft: Draft, relations: [RelationStatement])] = []
        for ((text, relations), vector) in zip(adds, vectors) {
            let hash = Self.hash(text)
            let same = { (memory: Memory) in memory.hash == hash || Double(Self.dot(memory.embedding, vector)) >= self.configuration.duplicateSimilarity }
            if let known = kept.first(where: same) {
                // The fact is known: what it says in the graph is said by the memory that has it.
                if !relations.isEmpty { restated.append((known, relations)) }
                continue
            }
            if let position = added.firstIndex(where: { Double(Self.dot($0.draft.vector, vector)) >= configuration.duplicateSimilarity }) {
                added[position].relations += relations
                continue
            }
            added.append((Draft(text: text, actorID: nil, role: nil, vector: vector), relations))
        }
        let insertion = try insertion(of: added.map(\.draft), request: request)
        changes.inserts = insertion.inserts
        changes.history = insertion.history
        changes.observedAt = insertion.observedAt
        changes.categoryDefinitions = insertion.categoryDefinitions
        changes.recordedAt = insertion.recordedAt
        results += insertion.inserts.map { AddResult(id: $0.id, memory: $0.text, event: .add) }
        if graph {
            changes.graph.statements += zip(insertion.inserts, added).map { memory, add in
                modelGraph(of: memory, relations: add.relations, restates: false)
            }
        }

        for ((index, text, relations), vector) in zip(updates, vectors.dropFirst(adds.count)) {
            let old = context[index]
            var memory = old
            memory.text = text
            memory.hash = Self.hash(text)
            memory.embedding = vector
            memory.categories = []
            memory.updatedAt = time
            if let metadata = request.metadata { memory.metadata = (old.metadata ?? [:]).merging(metadata) { _, new in new } }
            changes.updates.append(memory)
            changes.history.append(historyEvent(memory.id, old: old.text, new: text, .update, of: memory, at: time))
            results.append(AddResult(id: memory.id, memory: text, event: .update, previousMemory: old.text))
            if graph { changes.graph.statements.append(modelGraph(of: memory, relations: relations, restates: true)) }
        }
        if graph {
            changes.graph.statements += restated.map { modelGraph(of: $0.memory, relations: $0.relations, restates: false) }
        }
        for index in deletes {
            let old = context[index]
            changes.supersessions.append(old.id)
            changes.history.append(historyEvent(old.id, old: old.text, new: nil, .delete, of: old, at: time))
            results.append(AddResult(id: old.id, memory: old.text, event: .delete))
        }
        return (changes, results)
    }

    /// Procedural memory: the conversation summarised by the model as one memory.
    func procedural(_ request: AddRequest, chat: any ChatModel, job: JobLink?, warnings: [String]) throws -> AddOutcome {
        let overrides = (try? configurationOverrides()) ?? [:]
        let messages = [
            ChatMessage(role: .system, text: ProceduralPrompt.system),
            ChatMessage(role: .user, text: ProceduralPrompt.user(
                request.messages, instructions: request.prompt ?? promptSetting("custom_instructions", overrides: overrides))),
        ]
        let summary = try askForText(chat, messages, what: "procedural summary")
        let drafts = try embedded([Draft(text: summary, actorID: nil, role: nil)])
        let changes = try insertion(of: drafts, request: request, extraMetadata: ["memory_type": .string(AddRequest.MemoryType.procedural.rawValue)])
        return try commit(changes, warnings: warnings, job: job)
    }

    /// A plain-text answer without reasoning blocks or fences; an empty one is asked for again once.
    func askForText(_ chat: any ChatModel, _ messages: [ChatMessage], what: String) throws -> String {
        for _ in 0..<2 {
            let text = ModelOutput.stripped(try chat.complete(ChatRequest(messages: messages)).text)
            if !text.isEmpty, !text.utf8.contains(0) { return String(text.prefix(64 * 1024)) }
        }
        throw ProviderError(.unavailable, "The model returned an empty \(what) twice")
    }

    /// Messages with their images turned into text by the model when it has vision, else dropped
    /// with a warning.
    func describingImages(_ messages: [Message], chat: (any ChatModel)?, warnings: inout [String]) throws -> [Message] {
        let count = messages.reduce(0) { $0 + $1.imageURLs.count }
        guard count > 0 else { return messages }
        guard let chat, chat.supportsVision else {
            warnings.append("\(count) image(s) ignored: describing images needs an LLM with enable_vision on")
            return messages.map { Message(role: $0.role, content: $0.content, name: $0.name) }
        }
        return try messages.map { message in
            guard !message.imageURLs.isEmpty else { return message }
            let ask = [
                ChatMessage(role: .system, text: ImagePrompt.system),
                ChatMessage(role: .user, text: message.content.isEmpty ? "Describe the image." : message.content, imageURLs: message.imageURLs),
            ]
            let description = try askForText(chat, ask, what: "image description")
            let content = message.content.isEmpty ? "[Image: \(description)]" : "\(message.content)\n[Image: \(description)]"
            return Message(role: message.role, content: content, name: message.name)
        }
    }

    /// Files the inserted and updated memories under the categories the model gave their text, among
    /// the project's (the others are classified offline when the changes are applied).
    static func file(_ changes: inout MemoryChanges, as operations: [MemoryOperation], known: Set<String>) {
        var byText: [String: [String]] = [:]
        for operation in operations where !operation.categories.isEmpty {
            guard let text = operation.text else { continue }
            let names = operation.categories.filter(known.contains)
            if !names.isEmpty { byText[text] = Array(names.prefix(3)) }
        }
        guard !byText.isEmpty else { return }
        for index in changes.inserts.indices { changes.inserts[index].categories = byText[changes.inserts[index].text] ?? [] }
        for index in changes.updates.indices { changes.updates[index].categories = byText[changes.updates[index].text] ?? [] }
    }
}
