extension MemoryService {
    /// Changes text (re-embedded), metadata (merged) or expiration date; keeps `created_at`; writes an
    /// UPDATE history row. A batch of one (`update(batch:)`).
    public func update(id: String, _ update: MemoryUpdate) throws -> Memory {
        guard !update.isEmpty else {
            throw MemoryError.invalid("At least one of text, metadata, or expiration_date must be provided.")
        }
        return try self.update(batch: [(id, update)])[0]
    }

    /// Removes a memory for good, with a DELETE history row; `purge` also erases its text from history.
    public func delete(id: String, purge: Bool) throws {
        let memory = try get(id: id)
        try applied(deletion(of: [memory], purge: purge))
    }

    /// Removes every memory matching `filter` (expired and superseded ones too); returns how many.
    public func deleteAll(filter: Filter) throws -> Int {
        var removed = 0
        var seen: Set<String> = []
        let visibility = Visibility(showExpired: true, includeSuperseded: true, today: today())
        // Pages are taken from the front: each page is deleted before the next is read.
        while true {
            let page = try store.list(project: project, filter: filter, visibility: visibility, page: 1, pageSize: 500)
            guard !page.items.isEmpty else { return removed }
            guard seen.isDisjoint(with: page.items.map(\.id)) else {
                throw MemoryError.storeUnavailable("delete-all made no progress")
            }
            seen.formUnion(page.items.map(\.id))
            try applied(deletion(of: page.items, purge: false))
            removed += page.items.count
        }
    }

    /// Removes every memory of one user, agent or run.
    /// A user's profile goes with them.
    public func deleteEntity(kind: Entity.Kind, id: String) throws -> Int {
        let deleted = try deleteAll(filter: .compare(.field(kind.field), .eq, .string(id)))
        if kind == .user { try store.setSetting(Self.profileKey(project, id), value: nil) }
        return deleted
    }

    /// Erases every memory, history row and graph row of this project, and what was made from them
    /// (profiles, exports, feedback). Keys, project settings and webhooks stay.
    public func reset() throws {
        try store.reset(project: project)
        for prefix in ["profile/\(project)/", "export/\(project)/", "feedback/\(project)/"] {
            for (key, _) in try store.settings(prefix: prefix) { try store.setSetting(key, value: nil) }
        }
    }

    private func deletion(of memories: [Memory], purge: Bool) -> MemoryChanges {
        let time = now()
        var changes = MemoryChanges()
        for memory in memories {
            changes.deletions.append(memory.id)
            changes.history.append(HistoryEvent(
                id: Self.newID(), memoryID: memory.id, oldMemory: memory.text, newMemory: nil, event: .delete,
                createdAt: time, isDeleted: true, actorID: memory.actorID, role: memory.role,
                scope: memory.scope, project: project))
            if purge { changes.purges.append(memory.id) }
        }
        return changes
    }
}

import Foundation
