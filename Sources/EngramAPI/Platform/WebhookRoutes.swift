import EngramCore
import EngramHTTP

/// mem0's platform webhooks (docs/webhooks.md), confined to the caller's project:
/// `GET|POST /api/v1/webhooks/projects/{project_id}/` lists and registers (`{project_id}` must be the
/// caller's project), `PUT|DELETE /api/v1/webhooks/{webhook_id}/` changes and removes, and
/// `GET /api/v1/webhooks/{webhook_id}/deliveries/` shows the latest deliveries. Another project's
/// project or webhook is 404, never 403, so ids of other projects cannot be probed.
enum WebhookRoutes {
    static func register(on router: inout Router, engine: MemoryService) {
        router.add(.get, "/api/v1/webhooks/projects/{project_id}") { request in
            let service = try projectService(request, engine: engine)
            return .json(JSONValue.array(try service.webhooks().map { .object(WebhookJSON.item($0)) }))
        }
        router.add(.post, "/api/v1/webhooks/projects/{project_id}") { request in
            let service = try projectService(request, engine: engine)
            var body = try JSONBody(request)
            let url = body.string("url", required: true)
            let name = body.string("name")
            let types = try eventTypes(&body)
            try body.finish()
            let principal = Principal(request)
            let webhook = try service.createWebhook(
                name: name, url: url ?? "", eventTypes: types, owner: principal.keyID ?? (principal.admin ? "admin" : principal.project))
            return .json(JSONValue.object(WebhookJSON.item(webhook, withSecret: true)), status: .created)
        }
        router.add(.put, "/api/v1/webhooks/{webhook_id}") { request in
            let service = engine.serving(request)
            var body = try JSONBody(request)
            let update = WebhookUpdate(
                name: body.string("name"), url: body.string("url"), eventTypes: try eventTypes(&body), isActive: body.bool("is_active"))
            try body.finish()
            let webhook = try service.updateWebhook(id: request.pathParameters["webhook_id"] ?? "", update)
            var object = WebhookJSON.item(webhook)
            object["message"] = .string("Webhook updated successfully")
            return .json(JSONValue.object(object))
        }
        router.add(.delete, "/api/v1/webhooks/{webhook_id}") { request in
            try engine.serving(request).deleteWebhook(id: request.pathParameters["webhook_id"] ?? "")
            return .json(JSONValue.object(["message": .string("Webhook deleted successfully")]))
        }
        router.add(.get, "/api/v1/webhooks/{webhook_id}/deliveries") { request in
            let deliveries = try engine.serving(request).webhookDeliveries(id: request.pathParameters["webhook_id"] ?? "")
            return .json(JSONValue.array(deliveries.map(WebhookJSON.delivery)))
        }
    }

    /// The caller's project handle when the path names the caller's project; 404 otherwise.
    private static func projectService(_ request: HTTPRequest, engine: MemoryService) throws -> MemoryService {
        let service = engine.serving(request)
        let named = request.pathParameters["project_id"] ?? ""
        guard named == service.project else { throw HTTPError(.notFound, "Project \(named) not found") }
        return service
    }

    /// `event_types`: absent or null (nil), else a list of known type names; an unknown one is a 400
    /// naming the known ones.
    private static func eventTypes(_ body: inout JSONBody) throws -> [WebhookEventType]? {
        switch body.members["event_types"] {
        case .none, .some(.null):
            return nil
        case .some(.array(let items)):
            var types: [WebhookEventType] = []
            for (index, item) in items.enumerated() {
                guard case .string(let name) = item else {
                    body.problem(at: [.key("event_types"), .index(index)], "Input should be a valid string", type: "string_type")
                    continue
                }
                guard let type = WebhookEventType(name: name) else {
                    let known = WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")
                    throw MemoryError.invalid("Unknown event type '\(name)'; use one of \(known)")
                }
                types.append(type)
            }
            return types
        case .some:
            body.problem("event_types", "Input should be a valid list", type: "list_type")
            return nil
        }
    }
}

/// A `WebhookNotFound` is a 404 with the engine's message.
extension WebhookNotFound: HTTPResponseError {
    public var response: HTTPResponse { .error(.notFound, detail: message) }
}
