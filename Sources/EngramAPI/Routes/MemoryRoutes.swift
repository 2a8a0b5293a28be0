import EngramCore
import EngramHTTP

/// `/memories`: add, list, get, update, delete, delete-all and per-memory history.
enum MemoryRoutes {
    static func register(on router: inout Router, service: MemoryService) {
        router.add(.post, "/memories") { request in
            let input = try AddMemoryInput(request)
            let results = try service.add(input.request)
            return .json(JSONValue.object(["results": .array(results.map(render))]))
        }
        router.add(.get, "/memories") { request in
            let query = QueryParameters(request: request)
            let page = try service.list(
                filter: try query.scopedFilter(),
                page: try query.integer("page", default: 1),
                pageSize: try query.integer("page_size", default: Listing.defaultPageSize),
                showExpired: try query.bool("show_expired"),
                includeSuperseded: try query.bool("include_superseded"))
            return Listing.response(page, request: request) { MemoryJSON.item($0) }
        }
        router.add(.delete, "/memories") { request in
            let deleted = try service.deleteAll(filter: try QueryParameters(request: request).scopedFilter())
            return .json(JSONValue.object([
                "message": .string("All relevant memories deleted"), "deleted": .number(Double(deleted)),
            ]))
        }
        router.add(.get, "/memories/{memory_id}") { request in
            .json(MemoryJSON.item(try service.get(id: request.pathParameters["memory_id"] ?? "")))
        }
        router.add(.put, "/memories/{memory_id}") { request in
            let update = try updateInput(request)
            let memory = try service.update(id: request.pathParameters["memory_id"] ?? "", update)
            return .json(MemoryJSON.item(memory))
        }
        router.add(.delete, "/memories/{memory_id}") { request in
            let purge = try QueryParameters(request: request).bool("purge")
            try service.delete(id: request.pathParameters["memory_id"] ?? "", purge: purge)
            return .json(JSONValue.object(["message": .string("Memory deleted successfully")]))
        }
        router.add(.get, "/memories/{memory_id}/history") { request in
            let events = try service.history(memoryID: request.pathParameters["memory_id"] ?? "")
            return .json(JSONValue.array(events.map(MemoryJSON.history)))
        }
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
