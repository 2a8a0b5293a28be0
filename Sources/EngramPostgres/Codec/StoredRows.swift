import EngramCore
import Foundation

/// The column lists the store selects and writes, and how their rows become domain values.
enum StoredRows {
    /// Every column of a memory, under alias `m`, in the order `memory(from:row:offset:)` reads them.
    static let memoryColumns = """
        m.id, m.project, m.text, m.hash, m.metadata, m.user_id, m.agent_id, m.run_id, m.actor_id, m.role, \
        m.created_at, m.updated_at, m.expiration_date, m.state, m.embedding, m.app_id, m.categories
        """

    /// How many columns `memoryColumns` holds (a column selected after them has this index).
    static let memoryColumnCount = 17

    /// Every column of a history row, under alias `h`, in the order `historyEvent(from:row:)` reads them.
    static let historyColumns = """
        h.id, h.memory_id, h.old_memory, h.new_memory, h.event, h.created_at, h.is_deleted, h.actor_id, \
        h.role, h.user_id, h.agent_id, h.run_id, h.project, h.app_id
        """

    /// The memory in `row` of a result selected with `memoryColumns` (from column `offset` on).
    static func memory(from result: PostgresResult, row: Int, offset: Int = 0) throws -> Memory {
        func text(_ column: Int) -> String? { result.text(row, offset + column) }
        func required(_ column: Int) throws -> String { try result.requiredText(row, offset + column) }
        guard let state = Memory.State(rawValue: try required(13)) else { throw PostgresStoreError.malformedRow }
        return Memory(
            id: try required(0), text: try required(2), hash: try required(3),
            metadata: try result.jsonb(row, offset + 4).map(metadata(from:)),
            scope: Scope(stored: text(5), agentID: text(6), runID: text(7), appID: text(15)), actorID: text(8), role: text(9),
            createdAt: try result.requiredDate(row, offset + 10), updatedAt: try result.requiredDate(row, offset + 11),
            expirationDate: text(12), state: state, project: try required(1), embedding: try result.vector(row, offset + 14),
            categories: CategoryList.decode(try result.jsonb(row, offset + 16))
        )
    }

    /// The history event in `row` of a result selected with `historyColumns`.
    static func historyEvent(from result: PostgresResult, row: Int) throws -> HistoryEvent {
        func text(_ column: Int) -> String? { result.text(row, column) }
        guard let kind = HistoryEvent.Kind(rawValue: try result.requiredText(row, 4)) else { throw PostgresStoreError.malformedRow }
        return HistoryEvent(
            id: try result.requiredText(row, 0), memoryID: try result.requiredText(row, 1), oldMemory: text(2), newMemory: text(3),
            event: kind, createdAt: try result.requiredDate(row, 5), isDeleted: try result.bool(row, 6), actorID: text(7),
            role: text(8), scope: Scope(stored: text(9), agentID: text(10), runID: text(11), appID: text(13)),
            project: try result.requiredText(row, 12)
        )
    }

    /// The parameters `$1`…`$17` of a memory, in `memoryColumns` order.
    static func parameters(of memory: Memory) -> [PostgresParameter] {
        [
            .text(memory.id), .text(memory.project), .text(memory.text), .text(memory.hash),
            .jsonb(memory.metadata.map(metadataJSON)), .text(memory.scope.userID), .text(memory.scope.agentID),
            .text(memory.scope.runID), .text(memory.actorID), .text(memory.role), .timestamp(memory.createdAt),
            .timestamp(memory.updatedAt), .text(memory.expirationDate), .text(memory.state.rawValue), .vector(memory.embedding),
            .text(memory.scope.appID), .jsonb(CategoryList.encode(memory.categories)),
        ]
    }

    /// The parameters `$1`…`$14` of a history event, in `historyColumns` order.
    static func parameters(of event: HistoryEvent) -> [PostgresParameter] {
        [
            .text(event.id), .text(event.memoryID), .text(event.oldMemory), .text(event.newMemory), .text(event.event.rawValue),
            .timestamp(event.createdAt), .bool(event.isDeleted), .text(event.actorID), .text(event.role),
            .text(event.scope.userID), .text(event.scope.agentID), .text(event.scope.runID), .text(event.project),
            .text(event.scope.appID),
        ]
    }

    /// Metadata as JSON text (JSONB normalises it on the way in).
    static func metadataJSON(_ metadata: [String: JSONValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a dictionary of JSON values cannot fail: every case has a JSON form.
        let data = (try? encoder.encode(metadata)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Metadata read back from JSONB text.
    static func metadata(from json: String) throws -> [String: JSONValue] {
        do {
            return try JSONDecoder().decode([String: JSONValue].self, from: Data(json.utf8))
        } catch {
            throw PostgresStoreError.malformedRow
        }
    }
}
