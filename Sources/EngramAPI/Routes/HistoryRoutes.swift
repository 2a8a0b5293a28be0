import EngramCore
import EngramHTTP

/// `GET /history`: a scope's change log, newest first, paginated like `GET /memories`.
enum HistoryRoutes {
    static func register(on router: inout Router, engine: MemoryService) {
        router.add(.get, "/history") { request in
            let service = engine.serving(request)
            let query = QueryParameters(request: request)
            var kind: HistoryEvent.Kind?
            if let event = query.string("event"), !event.isEmpty {
                guard let parsed = HistoryEvent.Kind(rawValue: event.uppercased()) else {
                    throw HTTPError(.badRequest, "event must be one of ADD, UPDATE, DELETE")
                }
                kind = parsed
            }
            let page = try service.history(
                filter: try query.scope().filter, event: kind,
                page: try query.integer("page", default: 1),
                pageSize: try query.integer("page_size", default: Listing.defaultPageSize))
            return Listing.response(page, request: request, render: MemoryJSON.history)
        }
    }
}
