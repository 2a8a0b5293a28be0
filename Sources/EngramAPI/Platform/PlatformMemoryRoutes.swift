import EngramCore
import EngramHTTP
import Foundation

/// mem0's hosted-platform memory routes (mem0-spec §2.2 and §2.3), as its official clients call them:
/// the 2.x client's `/v3/memories/…` and `/v1/memories/{id}/`, and the 1.x client's `/v1/memories/`,
/// `/v2/memories/` and their search routes. Every route acts in the caller's project.
enum PlatformMemoryRoutes {
    /// Get-all pages: 100 by default, at most 200, as on the platform.
    static let defaultPageSize = 100
    static let maxPageSize = 200

    static func register(on router: inout Router, engine: MemoryService) {
        // Adds. The 2.x client's add, and the 1.x client's (whose `async_mode` defaults to true).
        router.add(.post, "/v3/memories/add") { request in
            let service = engine.serving(request)
            let input = try PlatformInput.add(request, asyncDefault: true)
            if input.async { return .json(queued(try service.enqueueAdd(input.request))) }
            let outcome = try service.addRecordingEvent(input.request)
            return .json(JSONValue.object([
                "message": .string("Memories added"), "status": .string("SUCCEEDED"),
                "event_id": PlatformJSON.optional(outcome.eventID),
                "results": .array(outcome.results.map(PlatformJSON.addResult)),
            ]))
        }
        router.add(.post, "/v1/memories") { request in
            let service = engine.serving(request)
            let input = try PlatformInput.add(request, asyncDefault: true)
            let wrapped = input.outputFormat == "v1.1"
            if input.async {
                let item = queued(try service.enqueueAdd(input.request))
                return .json(wrapped && input.version == "v2"
                    ? JSONValue.object(["results": .array([item]), "relations": .array([])]) : JSONValue.array([item]))
            }
            let results = JSONValue.array(try service.add(input.request).results.map(PlatformJSON.addResult))
            return .json(wrapped ? JSONValue.object(["results": results, "relations": .array([])]) : results)
        }

        // Get-all: the 2.x client's (pages in the query) and the 1.x client's.
        router.add(.post, "/v3/memories") { request in
            try getAll(engine.serving(request), request, path: "/v3/memories/", wrapped: true)
        }
        router.add(.post, "/v2/memories") { request in
            try getAll(engine.serving(request), request, path: "/v2/memories/", wrapped: true)
        }

        // Search: `{"results": [...]}` for the 2.x client; a bare list for the 1.x client unless it asks
        // for `output_format` v1.1.
        router.add(.post, "/v3/memories/search") { request in
            try search(engine.serving(request), request, bareByDefault: false)
        }
        router.add(.post, "/v2/memories/search") { request in
            try search(engine.serving(request), request, bareByDefault: true)
        }
        router.add(.post, "/v1/memories/search") { request in
            try search(engine.serving(request), request, bareByDefault: true)
        }

        // One memory.
        router.add(.get, "/v1/memories/{memory_id}") { request in
            let service = engine.serving(request)
            return .json(JSONValue.object(PlatformJSON.memory(try service.get(id: request.pathParameters["memory_id"] ?? ""))))
        }
        router.add(.put, "/v1/memories/{memory_id}") { request in
            let service = engine.serving(request)
            var body = try JSONBody(request)
            let text = body.string("text")
            let metadata = body.object("metadata")
            var expiration: String??
            if body.contains("expiration_date") { expiration = .some(body.string("expiration_date")) }
            _ = AddMemoryInput.timestamp(&body)
            try body.finish()
            let update = MemoryUpdate(text: text, metadata: metadata, expirationDate: expiration)
            let memory = try service.update(id: request.pathParameters["memory_id"] ?? "", update)
            return .json(JSONValue.object(PlatformJSON.memory(memory)))
        }
        router.add(.delete, "/v1/memories/{memory_id}") { request in
            let service = engine.serving(request)
            try service.delete(id: request.pathParameters["memory_id"] ?? "", purge: false)
            return .json(JSONValue.object(["message": .string("Memory deleted successfully!")]))
        }
        router.add(.get, "/v1/memories/{memory_id}/history") { request in
            let service = engine.serving(request)
            let id = request.pathParameters["memory_id"] ?? ""
            let events = try service.history(memoryID: id)
            let current = try? service.get(id: id)
            return .json(JSONValue.array(events.map { PlatformJSON.history($0, current: current) }))
        }

        // Delete-all: the scope in the query (`*` for every value of an id).
        router.add(.delete, "/v1/memories") { request in
            let service = engine.serving(request)
            var filters: [String: JSONValue] = [:]
            // The 2.x client sends `filters` as Python's text of a dict (`{'user_id': 'alice'}`); JSON too.
            if let text = request.queryValue("filters"), !text.isEmpty {
                guard case .object(let object)? = PythonLiteral.json(text) else {
                    throw HTTPError(.badRequest, "filters must be an object of user_id, agent_id, app_id, run_id")
                }
                for (key, value) in object where MemoryField.scopeIDs.map(\.rawValue).contains(key) { filters[key] = value }
            }
            for field in MemoryField.scopeIDs {
                if let value = request.queryValue(field.rawValue), !value.isEmpty { filters[field.rawValue] = .string(value) }
            }
            guard !filters.isEmpty else {
                throw HTTPError(.badRequest, "At least one of user_id, agent_id, app_id or run_id is required (\"*\" for all)")
            }
            let filter = try PlatformFilter.parse(.object(filters)) ?? .all
            let deleted = try service.deleteAll(filter: filter)
            return .json(JSONValue.object([
                "message": .string("Memories deleted successfully!"), "deleted": .number(Double(deleted)),
            ]))
        }

        // Batches of at most 1,000, each in one transaction.
        router.add(.put, "/v1/batch") { request in
            let service = engine.serving(request)
            let items = try batchItems(request)
            var updates: [(id: String, update: MemoryUpdate)] = []
            for item in items {
                guard case .string(let id)? = item["memory_id"] else { throw HTTPError(.badRequest, "Each memory needs a memory_id") }
                var text: String?
                if let value = item["text"], value != .null {
                    guard case .string(let string) = value else { throw HTTPError(.badRequest, "text must be a string") }
                    text = string
                }
                var metadata: [String: JSONValue]?
                if let value = item["metadata"], value != .null {
                    guard case .object(let object) = value else { throw HTTPError(.badRequest, "metadata must be an object") }
                    metadata = object
                }
                updates.append((id, MemoryUpdate(text: text, metadata: metadata)))
            }
            let updated = try service.update(batch: updates)
            return .json(JSONValue.object(["message": .string("Successfully updated \(updated.count) memories")]))
        }
        router.add(.delete, "/v1/batch") { request in
            let service = engine.serving(request)
            let ids = try batchItems(request).map { item -> String in
                guard case .string(let id)? = item["memory_id"] else { throw HTTPError(.badRequest, "Each memory needs a memory_id") }
                return id
            }
            let deleted = try service.delete(batch: ids)
            return .json(JSONValue.object(["message": .string("Successfully deleted \(deleted) memories")]))
        }
    }

    /// `{"message", "status": "PENDING", "event_id"}`.
    static func queued(_ job: AddJob) -> JSONValue {
        .object([
            "message": .string("Memory processing has been queued for background execution"),
            "status": .string(job.status.rawValue), "event_id": .string(job.id),
        ])
    }

    private static func getAll(_ service: MemoryService, _ request: HTTPRequest, path: String, wrapped: Bool) throws -> HTTPResponse {
        var body = try JSONBody(request, allowEmpty: true)
        var filter = try PlatformInput.filter(&body)
        let fields = PlatformInput.fields(&body)
        let showExpired = body.bool("show_expired") ?? false
        var range: [String: JSONValue] = [:]
        if let start = body.string("start_date") { range["gte"] = .string(start) }
        if let end = body.string("end_date") { range["lte"] = .string(end) }
        let query = QueryParameters(request: request)
        let page = try query.integer("page", default: body.integer("page") ?? 1)
        let pageSize = try query.integer("page_size", default: body.integer("page_size") ?? defaultPageSize)
        try body.finish()
        if !range.isEmpty, let dated = try PlatformFilter.parse(.object(["created_at": .object(range)])) {
            filter = .and([filter, dated])
        }
        guard (1...maxPageSize).contains(pageSize) else { throw HTTPError(.badRequest, "page_size must be between 1 and \(maxPageSize)") }
        let memories = try service.list(filter: filter, page: page, pageSize: pageSize, showExpired: showExpired, includeSuperseded: false)
        return .json(PlatformJSON.page(memories, request: request, path: path) {
            PlatformJSON.selecting(PlatformJSON.memory($0), fields: fields)
        })
    }

    private static func search(_ service: MemoryService, _ request: HTTPRequest, bareByDefault: Bool) throws -> HTTPResponse {
        var body = try JSONBody(request)
        let query = body.string("query", required: true)?.trimmingCharacters(in: .whitespacesAndNewlines)
        let filter = try PlatformInput.filter(&body)
        let fields = PlatformInput.fields(&body)
        let topK = body.integer("top_k") ?? body.integer("limit") ?? 10
        let threshold = body.number("threshold") ?? 0.1
        let keyword = body.bool("keyword_search")
        let showExpired = body.bool("show_expired") ?? false
        let explain = body.bool("explain") ?? false
        let outputFormat = body.string("output_format")
        let rerank = body.bool("rerank") ?? false
        let topN = body.integer("top_n")
        try body.finish()
        guard let query, !query.isEmpty else { throw HTTPError(.badRequest, "query must be a non-empty string") }
        guard (1...1000).contains(topK) else { throw HTTPError(.badRequest, "top_k must be between 1 and 1000") }
        guard (0...1).contains(threshold) else { throw HTTPError(.badRequest, "threshold must be between 0 and 1") }
        let outcome = try service.search(SearchRequest(
            query: query, filter: filter, topK: topK, threshold: threshold, keywordSearch: keyword ?? true, showExpired: showExpired,
            rerank: rerank, rerankCandidates: topN))
        let results = JSONValue.array(outcome.results.map { PlatformJSON.selecting(PlatformJSON.hit($0, explain: explain), fields: fields) })
        let bare = bareByDefault ? outputFormat != "v1.1" : outputFormat == "v1.0"
        var object: [String: JSONValue] = ["results": results]
        if !outcome.warnings.isEmpty { object["warnings"] = .array(outcome.warnings.map(JSONValue.string)) }
        // A bare list has no room for warnings: they go in a header (and the log) there.
        var response = HTTPResponse.json(bare ? results : JSONValue.object(object))
        if bare, let warning = outcome.warnings.first { response.headers.add(
            name: "Engram-Warning", value: String(warning.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F })) }
        return response
    }

    /// `{"memories": [...]}` of a batch call: 1 to 1,000 objects.
    private static func batchItems(_ request: HTTPRequest) throws -> [[String: JSONValue]] {
        let body = try JSONBody(request)
        guard case .array(let items)? = body.members["memories"] else { throw HTTPError(.badRequest, "memories must be a list") }
        guard !items.isEmpty else { throw HTTPError(.badRequest, "memories must hold at least one memory") }
        guard items.count <= MemoryService.maxBatch else {
            throw HTTPError(.badRequest, "At most \(MemoryService.maxBatch) memories per batch, got \(items.count)")
        }
        return try items.map { item in
            guard case .object(let object) = item else { throw HTTPError(.badRequest, "memories must be a list of objects") }
            return object
        }
    }
}
