import EngramCore
import EngramHTTP

/// `/graph`: the entities and relations of a scope, paginated like `/memories`, and removing a relation.
enum GraphRoutes {
    static func register(on router: inout Router, engine: MemoryService) {
        router.add(.get, "/graph/entities") { request in
            let service = engine.serving(request)
            let query = QueryParameters(request: request)
            let page = try service.graphEntities(
                filter: try query.scopedFilter(), asOf: try query.date("as_of"), page: try query.integer("page", default: 1),
                pageSize: try query.integer("page_size", default: Listing.defaultPageSize))
            return Listing.response(page, request: request, render: GraphJSON.entity)
        }
        router.add(.get, "/graph/relations") { request in
            let service = engine.serving(request)
            let query = QueryParameters(request: request)
            let page = try service.graphRelations(
                filter: try query.scopedFilter(), entity: query.string("entity").flatMap { $0.isEmpty ? nil : $0 },
                asOf: try query.date("as_of"), includeHistory: try query.bool("include_history"),
                page: try query.integer("page", default: 1),
                pageSize: try query.integer("page_size", default: Listing.defaultPageSize))
            return Listing.response(page, request: request) { GraphJSON.relation($0) }
        }
        router.add(.delete, "/graph/relations/{relation_id}") { request in
            let service = engine.serving(request)
            try service.deleteRelation(id: request.pathParameters["relation_id"] ?? "")
            return .json(JSONValue.object(["message": .string("Relation deleted successfully")]))
        }
    }
}
