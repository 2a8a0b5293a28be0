import EngramCore
import EngramHTTP
import Foundation

/// `POST /reset` (an administrator erases their own project) and the project keys,
/// `POST|GET /admin/keys` and `DELETE /admin/keys/{id}`.
enum AdminRoutes {
    static func register(on router: inout Router, engine: MemoryService) {
        let keys = engine.keyRing
        router.add(.post, "/reset") { request in
            try requireAdmin(request)
            let service = engine.serving(request)
            try service.reset()
            return .json(JSONValue.object(["message": .string("All memories reset"), "project": .string(service.project)]))
        }
        router.add(.post, "/admin/keys") { request in
            try requireAdmin(request)
            var body = try JSONBody(request)
            let project = body.string("project", required: true)
            let admin = body.bool("admin") ?? false
            try body.finish()
            let (record, key) = try keys.create(project: project ?? "", admin: admin)
            var object = item(record)
            object["key"] = .string(key)
            return .json(JSONValue.object(object), status: .created)
        }
        router.add(.get, "/admin/keys") { request in
            try requireAdmin(request)
            return .json(JSONValue.object(["results": .array(try keys.list().map { .object(item($0)) })]))
        }
        router.add(.delete, "/admin/keys/{key_id}") { request in
            try requireAdmin(request)
            let id = request.pathParameters["key_id"] ?? ""
            guard try keys.revoke(id: id) else { throw HTTPError(.notFound, "No key with id '\(id)'") }
            return .json(JSONValue.object(["message": .string("Key revoked"), "id": .string(id)]))
        }
    }

    /// A key's record, never the key: `{"id", "project", "admin", "prefix", "created_at"}`.
    static func item(_ record: APIKeyRecord) -> [String: JSONValue] {
        [
            "id": .string(record.id), "project": .string(record.project), "admin": .bool(record.admin),
            "prefix": .string(record.prefix), "created_at": .string(Timestamp.format(record.createdAt)),
        ]
    }
}
