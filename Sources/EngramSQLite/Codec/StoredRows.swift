import EngramCore
import Foundation
import GRDB

/// The column lists the store selects and how their rows become domain values.
enum StoredRows {
    /// Every column of a memory, under alias `m`, in the order `memory(from:)` reads them.
    static let memoryColumns = """
        m.id, m.project, m.text, m.hash, m.metadata, m.user_id, m.agent_id, m.run_id, m.actor_id, m.role,
        m.created_at, m.updated_at, m.expiration_date, m.state, m.embedding, m.app_id, m.categories
        """

    /// Every column of a history row, under alias `h`, in the order `historyEvent(from:)` reads them.
    static let historyColumns = """
        h.id, h.memory_id, h.old_memory, h.new_memory, h.event, h.created_at, h.is_deleted, h.actor_id,
        h.role, h.user_id, h.agent_id, h.run_id, h.project, h.app_id
        """

    /// The memory of a row selected with `memoryColumns` (from column `offset` on).
    static func memory(from row: Row, offset: Int = 0) throws -> Memory {
        let metadataText: String? = row[offset + 4]
        let embedding = try row.withUnsafeData(atIndex: offset + 14) { data in
            data.map { bytes in bytes.withUnsafeBytes { EmbeddingBlob.vector(from: $0) } } ?? []
        }
        guard let state = Memory.State(rawValue: row[offset + 13]) else { throw malformed }
        return Memory(
            id: row[offset], text: row[offset + 2], hash: row[offset + 3],
            metadata: try metadataText.map { text in
                do { return try MetadataJSON.object(from: text) } catch { throw malformed }
            },
            scope: Scope(stored: row[offset + 5], agentID: row[offset + 6], runID: row[offset + 7], appID: row[offset + 15]),
            actorID: row[offset + 8], role: row[offset + 9],
            createdAt: try date(row[offset + 10]), updatedAt: try date(row[offset + 11]),
            expirationDate: row[offset + 12], state: state, project: row[offset + 1], embedding: embedding,
            categories: CategoryList.decode(row[offset + 16])
        )
    }

    /// The history event of a row selected with `historyColumns`.
    static func historyEvent(from row: Row) throws -> HistoryEvent {
        guard let kind = HistoryEvent.Kind(rawValue: row[4]) else { throw malformed }
        return HistoryEvent(
            id: row[0], memoryID: row[1], oldMemory: row[2], newMemory: row[3], event: kind,
            createdAt: try date(row[5]), isDeleted: row[6], actorID: row[7], role: row[8],
            scope: Scope(stored: row[9], agentID: row[10], runID: row[11], appID: row[13]), project: row[12]
        )
    }

    /// The arguments inserting or replacing a memory, in `memoryColumns` order.
    static func arguments(of memory: Memory) -> StatementArguments {
        [
            memory.id, memory.project, memory.text, memory.hash, memory.metadata.map(MetadataJSON.string(from:)),
            memory.scope.userID, memory.scope.agentID, memory.scope.runID, memory.actorID, memory.role,
            StoredTime.string(from: memory.createdAt), StoredTime.string(from: memory.updatedAt),
            memory.expirationDate, memory.state.rawValue, EmbeddingBlob.data(from: memory.embedding),
            memory.scope.appID, CategoryList.encode(memory.categories),
        ]
    }

    /// The arguments inserting a history row, in `historyColumns` order.
    static func arguments(of event: HistoryEvent) -> StatementArguments {
        [
            event.id, event.memoryID, event.oldMemory, event.newMemory, event.event.rawValue,
            StoredTime.string(from: event.createdAt), event.isDeleted, event.actorID, event.role,
            event.scope.userID, event.scope.agentID, event.scope.runID, event.project, event.scope.appID,
        ]
    }

    /// A stored time read back.
    static func date(_ text: String) throws -> Date {
        guard let date = StoredTime.date(from: text) else { throw malformed }
        return date
    }

    /// A row the store cannot decode.
    static let malformed = SQLiteStoreError(code: 0, description: "A stored row is malformed")
}
