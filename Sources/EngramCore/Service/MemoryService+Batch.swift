import Foundation

extension MemoryService {
    /// Most memories one batch call may change.
    public static let maxBatch = 1000

    /// Applies every update in one transaction: all of them, or none when any id is unknown in this
    /// project or any update is invalid. Returns the memories as updated, in order.
    public func update(batch: [(id: String, update: MemoryUpdate)]) throws -> [Memory] {
        guard !batch.isEmpty else { throw MemoryError.invalid("memories must hold at least one memory") }
        guard batch.count <= Self.maxBatch else { throw MemoryError.invalid("At most \(Self.maxBatch) memories per batch") }
        guard Set(batch.map(\.id)).count == batch.count else { throw MemoryError.invalid("A memory appears twice in the batch") }
        for item in batch {
            guard !item.update.isEmpty else { throw MemoryError.invalid("Memory \(item.id): at least one of text or metadata must be provided") }
            if let text = item.update.text {
                guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw MemoryError.invalid("text must not be empty") }
                try Self.validateText(text)
            }
            // Checked before anything is read, so a bad date is refused whatever the id.
            if let expiration = item.update.expirationDate { _ = try expiration.flatMap(Self.validateDay) }
        }
        let found = try store.memories(ids: batch.map(\.id), project: project)
        if let missing = batch.first(where: { found[$0.id] == nil }) { throw MemoryError.notFound(missing.id) }
        let keys = Set(found.values.map { project + "\u{1}" + $0.scope.lockKey }).sorted()
        return try withScopeLocks(keys[...]) {
            // Read again under the locks: what an inference add wrote meanwhile is what is updated.
            let current = try store.memories(ids: batch.map(\.id), project: project)
            let texts = batch.compactMap { item in
                item.update.text.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { text in
                    current[item.id]?.text == text ? nil : text
                }
            }
            var vectors = try embedded(texts: texts)[...]
            var changes = MemoryChanges()
            var updated: [Memory] = []
            let time = now()
            for item in batch {
                guard var memory = current[item.id] else { throw MemoryError.notFound(item.id) }
                let old = memory.text
                if let text = item.update.text?.trimmingCharacters(in: .whitespacesAndNewlines), text != memory.text {
                    memory.text = text
                    memory.hash = Self.hash(text)
                    memory.embedding = vectors.removeFirst()
                    memory.categories = []
                    if configuration.graph.enabled { changes.graph.statements.append(editedGraph(of: memory)) }
                }
                if let metadata = item.update.metadata {
                    memory.metadata = Self.cleanMetadata((memory.metadata ?? [:]).merging(metadata) { $1 })
                }
                if let expiration = item.update.expirationDate { memory.expirationDate = try expiration.flatMap(Self.validateDay) }
                memory.updatedAt = time
                changes.updates.append(memory)
                changes.history.append(historyEvent(memory.id, old: old, new: memory.text, .update, of: memory, at: time))
                updated.append(memory)
            }
            try applied(changes)
            return updated
        }
    }

    /// Deletes the memories of `ids` in one transaction: all of them, or none when any is unknown in
    /// this project.
    public func delete(batch ids: [String]) throws -> Int {
        guard !ids.isEmpty else { throw MemoryError.invalid("memories must hold at least one memory") }
        guard ids.count <= Self.maxBatch else { throw MemoryError.invalid("At most \(Self.maxBatch) memories per batch") }
        let unique = Array(Set(ids))
        let found = try store.memories(ids: unique, project: project)
        if let missing = ids.first(where: { found[$0] == nil }) { throw MemoryError.notFound(missing) }
        let time = now()
        var changes = MemoryChanges()
        for memory in unique.compactMap({ found[$0] }) {
            changes.deletions.append(memory.id)
            changes.history.append(historyEvent(memory.id, old: memory.text, new: nil, .delete, of: memory, at: time, isDeleted: true))
        }
        try applied(changes)
        return unique.count
    }

    /// A page of this project's async adds, newest first.
    public func jobs(page: Int, pageSize: Int) throws -> Page<AddJob> {
        try checkPage(page, pageSize)
        return try store.jobs(project: project, page: page, pageSize: pageSize)
    }

    /// Runs `body` holding the in-process scope locks of `keys` (sorted, so two batches never wait on
    /// each other in opposite orders).
    private func withScopeLocks<T>(_ keys: ArraySlice<String>, _ body: () throws -> T) throws -> T {
        guard let first = keys.first else { return try body() }
        return try scopeLocks.withLock(first) { try withScopeLocks(keys.dropFirst(), body) }
    }
}
