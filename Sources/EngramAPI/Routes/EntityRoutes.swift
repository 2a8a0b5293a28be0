import EngramCore
import EngramHTTP

/// `/entities`: the users, agents and runs that have memories, and deleting one's memories.
enum EntityRoutes {
    static func register(on router: inout Router, engine: MemoryService) {
        router.add(.get, "/entities") { request in
            let service = engine.serving(request)
            return .json(JSONValue.array(try service.entities().map(MemoryJSON.entity)))
        }
        router.add(.delete, "/entities/{entity_type}/{entity_id}") { request in
            let service = engine.serving(request)
            guard let kind = Entity.Kind(rawValue: request.pathParameters["entity_type"] ?? "") else {
                throw HTTPError(.badRequest, "entity type must be one of user, agent, run")
            }
            let id = try Scope.normalisedID(request.pathParameters["entity_id"] ?? "", name: "entity_id")
            let deleted = try service.deleteEntity(kind: kind, id: id)
            return .json(JSONValue.object(["message": .string("Entity deleted"), "deleted": .number(Double(deleted))]))
        }
    }
}
