import EngramCore
import EngramHTTP
import Foundation

/// `/memories`: add, list, get, update, delete, delete-all and per-memory history.
enum MemoryRoutes {
    static func register(on router: inout Router, engine: MemoryService) {
        router.add(.post, "/memories") { request in
            let service = engine.serving(request)
            let input = try AddMemoryInput(request)
            if input.asyncMode {
                let job = try service.enqueueAdd(input.request)
                return .json(JSONValue.object([
                    "event_id": .string(job.id), "status": .string(job.status.rawValue),
                    "message": .string("Memory processing has been queued for background execution"),
                ]), status: .accepted)
            }
            return .json(render(try service.add(input.request)))
        }
        router.add(.get, "/events/{event_id}") { request in
            let service = engine.serving(request)
            return .json(event(try service.job(id: request.pathParameters["event_id"] ?? "")))
        }
        router.add(.get, "/memories") { request in
            let service = engine.serving(request)
            let query = QueryParameters(request: request)
            let page = try service.list(
                filter: try query.scopedFilter(),
                page: try query.integer("page", default: 1),
                pageSize: try query.integer("page_size", default: Listing.defaultPageSize),
                showExpired: try query.bool("show_expired"),
                includeSuperseded: try query.bool("include_superseded"),
                asOf: try query.date("as_of"))
            return Listing.response(page, request: request) { MemoryJSON.item($0) }
        }
        router.add(.delete, "/memories") { request in
            let service = engine.serving(request)
            let deleted = try service.deleteAll(filter: try QueryParameters(request: request).scopedFilter())
            return .json(JSONValue.object([
                "message": .string("All relevant memories deleted"), "deleted": .number(Double(deleted)),
            ]))
        }
        router.add(.get, "/memories/{memory_id}") { request in
            let service = engine.serving(request)
            return .json(MemoryJSON.item(try service.get(id: request.pathParameters["memory_id"] ?? "")))
        }
        router.add(.put, "/memories/{memory_id}") { request in
            let service = engine.serving(request)
            let update = try updateInput(request)
            let memory = try service.update(id: request.pathParameters["memory_id"] ?? "", update)
            return .json(MemoryJSON.item(memory))
        }
        router.add(.delete, "/memories/{memory_id}") { request in
            let service = engine.serving(request)
            let purge = try QueryParameters(request: request).bool("purge")
            try service.delete(id: request.pathParameters["memory_id"] ?? "", purge: purge)
            return .json(JSONValue.object(["message": .string("Memory deleted successfully")]))
        }
        router.add(.get, "/memories/{memory_id}/history") { request in
            let service = engine.serving(request)
            let events = try service.history(memoryID: request.pathParameters["memory_id"] ?? "")
            return .json(JSONValue.array(events.map(MemoryJSON.history)))
        }
    }

    /// `{"results": [...]}`, plus `warnings` when some input was not used.
    static func render(_ outcome: AddOutcome) -> JSONValue {
        var object: [String: JSONValue] = ["results": .array(outcome.results.map(render))]
        if !outcome.warnings.isEmpty { object["warnings"] = .array(outcome.warnings.map(JSONValue.string)) }
        if let relations = outcome.relations {
            // mem0's shape: one list per relation, each holding that relation.
            object["relations"] = .object([
                "added_entities": .array(relations.added.map { .array([GraphJSON.relation($0)]) }),
                "deleted_entities": .array(relations.closed.map { .array([GraphJSON.relation($0)]) }),
            ])
        }
        return .object(object)
    }

    /// An async add's status: `{"id", "status", "results"?, "error"?, "created_at", "completed_at"?}`.
    static func event(_ job: AddJob) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(job.id), "status": .string(job.status.rawValue), "created_at": .string(Timestamp.format(job.createdAt)),
            "attempts": .number(Double(job.attempts)),
        ]
        if let started = job.startedAt { object["started_at"] = .string(Timestamp.format(started)) }
        if let completed = job.completedAt { object["completed_at"] = .string(Timestamp.format(completed)) }
        if let error = job.error { object["error"] = .string(error) }
        if let text = job.results, let outcome = try? JSONDecoder().decode(AddOutcome.self, from: Data(text.utf8)) {
            if case .object(let rendered) = render(outcome) { object.merge(rendered) { _, new in new } }
        }
        return .object(object)
    }

    private static func render(_ result: AddResult) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(result.id), "memory": .string(result.memory), "event": .string(result.event.rawValue),
        ]
        if let previous = result.previousMemory { object["previous_memory"] = .string(previous) }
        return .object(object)
    }

    private static func updateInput(_ request: HTTPRequest) throws -> MemoryUpdate {
        var body = try JSONBody(request)
        let text = body.string("text")
        let metadata = body.object("metadata")
        var expiration: String??
        if body.contains("expiration_date") {
            expiration = .some(body.string("expiration_date"))
        }
        try body.finish()
        return MemoryUpdate(text: text, metadata: metadata, expirationDate: expiration)
    }
}
