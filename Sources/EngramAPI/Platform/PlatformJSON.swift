import EngramCore
import EngramHTTP
import Foundation

/// The JSON shapes of mem0's hosted platform (mem0-spec §2.2): every key present (null when unset), the
/// run named `session_id` in get and get-all but `run_id` in search, `categories` always a list.
enum PlatformJSON {
    /// The organisation every Engram project belongs to in the platform's terms.
    static let organisation = "engram"

    /// A memory as `GET /v1/memories/{id}/` and get-all answer it.
    static func memory(_ memory: Memory) -> [String: JSONValue] {
        var object = common(memory)
        object["session_id"] = optional(memory.scope.runID)
        object["structured_attributes"] = .null
        object["immutable"] = .bool(false)
        if memory.state != .active { object["state"] = .string(memory.state.rawValue) }
        return object
    }

    /// A search hit: the memory with `run_id` and its `score` in [0, 1].
    static func hit(_ scored: ScoredMemory, explain: Bool) -> [String: JSONValue] {
        var object = common(scored.memory)
        object["run_id"] = optional(scored.memory.scope.runID)
        object["score"] = .number(MemoryJSON.rounded(scored.score))
        if explain {
            var breakdown: [String: JSONValue] = [
                "semantic": .number(MemoryJSON.rounded(scored.semanticScore ?? 0)),
                "bm25": .number(MemoryJSON.rounded(scored.keywordScore ?? 0)),
                "entity": .number(MemoryJSON.rounded(scored.graphScore ?? 0)),
            ]
            if let rerank = scored.rerankScore { breakdown["rerank"] = .number(MemoryJSON.rounded(rerank)) }
            object["score_breakdown"] = .object(breakdown)
        }
        return object
    }

    private static func common(_ memory: Memory) -> [String: JSONValue] {
        [
            "id": .string(memory.id),
            "memory": .string(memory.text),
            "hash": .string(memory.hash),
            "user_id": optional(memory.scope.userID),
            "agent_id": optional(memory.scope.agentID),
            "app_id": optional(memory.scope.appID),
            "metadata": memory.metadata.map { .object($0) } ?? .null,
            "categories": .array(memory.categories.map(JSONValue.string)),
            "created_at": .string(Timestamp.format(memory.createdAt)),
            "updated_at": .string(Timestamp.format(memory.updatedAt)),
            "expiration_date": optional(memory.expirationDate),
        ]
    }

    /// A history row: `[{id, memory_id, input, old_memory, new_memory, user_id, …, event, …}]`.
    static func history(_ event: HistoryEvent, current: Memory?) -> JSONValue {
        .object([
            "id": .string(event.id),
            "memory_id": .string(event.memoryID),
            "input": .array([]),
            "old_memory": optional(event.oldMemory),
            "new_memory": optional(event.newMemory),
            "user_id": optional(event.scope.userID),
            "agent_id": optional(event.scope.agentID),
            "app_id": optional(event.scope.appID),
            "session_id": optional(event.scope.runID),
            "categories": .array((current?.categories ?? []).map(JSONValue.string)),
            "event": .string(event.event.rawValue),
            "metadata": current?.metadata.map { .object($0) } ?? .null,
            "created_at": .string(Timestamp.format(event.createdAt)),
            "updated_at": .string(Timestamp.format(event.createdAt)),
        ])
    }

    /// A user, agent, app or run with memories (`GET /v1/entities/`); its id is its name, so the TS
    /// client's `DELETE /v1/entities/{type}/{id}/` finds it.
    static func entity(_ entity: Entity, project: String) -> JSONValue {
        .object([
            "id": .string(entity.id),
            "name": .string(entity.id),
            "type": .string(entity.kind.rawValue),
            "owner": .string(project),
            "metadata": .object([:]),
            "total_memories": .number(Double(entity.totalMemories)),
            "created_at": .string(Timestamp.format(entity.createdAt)),
            "updated_at": .string(Timestamp.format(entity.updatedAt)),
        ])
    }

    /// An async add as `GET /v1/event/{id}/` answers it.
    static func event(_ job: AddJob) -> JSONValue {
        var results: [JSONValue] = []
        if let text = job.results, let outcome = try? JSONDecoder().decode(AddOutcome.self, from: Data(text.utf8)) {
            results = outcome.results.map(addResult)
        }
        let latency: JSONValue = job.startedAt.flatMap { started in
            job.completedAt.map { .number(MemoryJSON.rounded($0.timeIntervalSince(started) * 1000)) }
        } ?? .null
        return .object([
            "id": .string(job.id),
            "event_type": .string(ProfileJobRequest.from(job) == nil ? "ADD" : "PROFILE"),
            "status": .string(job.status.rawValue),
            "payload": .null,
            "metadata": .object(["attempts": .number(Double(job.attempts))]),
            "results": .array(results),
            "error": optional(job.error),
            "created_at": .string(Timestamp.format(job.createdAt)),
            "updated_at": .string(Timestamp.format(job.completedAt ?? job.startedAt ?? job.createdAt)),
            "started_at": job.startedAt.map { .string(Timestamp.format($0)) } ?? .null,
            "completed_at": job.completedAt.map { .string(Timestamp.format($0)) } ?? .null,
            "latency": latency,
            "graph_status": .null,
        ])
    }

    /// One change of an add: `{"id", "event", "memory", "data": {"memory"}}` (the platform's `data` and the
    /// open-source `memory` both).
    static func addResult(_ result: AddResult) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(result.id), "event": .string(result.event.rawValue), "memory": .string(result.memory),
            "data": .object(["memory": .string(result.memory)]),
        ]
        if let previous = result.previousMemory { object["previous_memory"] = .string(previous) }
        return .object(object)
    }

    /// `{count, next, previous, results}` with page links on `path` (query `page`, `page_size`).
    static func page<Item>(_ page: Page<Item>, request: HTTPRequest, path: String, render: (Item) -> JSONValue) -> JSONValue {
        let host = request.headers["host"].map { "http://\($0)" } ?? ""
        func link(_ number: Int) -> JSONValue { .string("\(host)\(path)?page=\(number)&page_size=\(page.pageSize)") }
        return .object([
            "count": .number(Double(page.total)),
            "next": page.hasNext ? link(page.page + 1) : .null,
            "previous": page.page > 1 ? link(page.page - 1) : .null,
            "results": .array(page.items.map(render)),
        ])
    }

    /// Only the keys of `fields` (when given; `id` always stays).
    static func selecting(_ object: [String: JSONValue], fields: [String]?) -> JSONValue {
        guard let fields, !fields.isEmpty else { return .object(object) }
        let wanted = Set(fields).union(["id"])
        return .object(object.filter { wanted.contains($0.key) })
    }

    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
}
