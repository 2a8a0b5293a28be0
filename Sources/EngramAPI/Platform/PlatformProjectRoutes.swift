import EngramCore
import EngramHTTP
import Foundation

/// mem0's hosted-platform routes around the memories (mem0-spec §2.2): the key check the clients make
/// when constructed, entities, async add events, feedback, the caller's project settings, exports and
/// summaries. Every route acts in the caller's project; another project's ids are 404.
enum PlatformProjectRoutes {
    static func register(on router: inout Router, engine: MemoryService) {
        router.add(.get, "/v1/ping") { request in
            let principal = Principal(request)
            return .json(JSONValue.object([
                "status": .string("ok"), "message": .string("pong"),
                "org_id": .string(PlatformJSON.organisation), "project_id": .string(principal.project),
                "user_email": .null, "admin": .bool(principal.admin),
            ]))
        }

        // Entities: users, agents, apps and runs with memories.
        router.add(.get, "/v1/entities") { request in
            let service = engine.serving(request)
            let entities = try service.entities().sorted { ($0.kind.rawValue, $0.id) < ($1.kind.rawValue, $1.id) }
            let query = QueryParameters(request: request)
            let page = try query.integer("page", default: 1)
            let pageSize = try query.integer("page_size", default: min(max(entities.count, 1), 1000))
            guard page >= 1, (1...1000).contains(pageSize) else {
                throw HTTPError(.badRequest, "page must be at least 1 and page_size between 1 and 1000")
            }
            let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: pageSize)
            let start = overflow ? entities.count : min(offset, entities.count)
            let slice = Array(entities[start..<min(entities.count, start + pageSize)])
            var object: [String: JSONValue] = [
                "count": .number(Double(entities.count)),
                "next": .null, "previous": .null,
                "results": .array(slice.map { PlatformJSON.entity($0, project: service.project) }),
            ]
            if case .object(let paged) = PlatformJSON.page(
                Page(items: slice, total: entities.count, page: page, pageSize: pageSize), request: request, path: "/v1/entities/", render: { _ in .null }) {
                object["next"] = paged["next"]
                object["previous"] = paged["previous"]
            }
            for kind in Entity.Kind.allCases {
                object["total_\(kind.rawValue)s"] = .number(Double(entities.filter { $0.kind == kind }.count))
            }
            return .json(JSONValue.object(object))
        }
        for path in ["/v2/entities/{entity_type}/{entity_id}", "/v1/entities/{entity_type}/{entity_id}"] {
            router.add(.delete, path) { request in
                let service = engine.serving(request)
                guard let kind = Entity.Kind(rawValue: request.pathParameters["entity_type"] ?? "") else {
                    throw HTTPError(.badRequest, "entity type must be one of user, agent, app, run")
                }
                let id = try Scope.normalisedID(request.pathParameters["entity_id"] ?? "", name: "\(kind.rawValue)_id")
                // An entity that had memories once is deleted again without error: deleting every entity
                // of a listing deletes some through others (a run's memories go with their user's). One
                // this project never had is 404.
                if try !service.entities().contains(where: { $0.kind == kind && $0.id == id }) {
                    let filter = Filter.compare(.field(kind.field), .eq, .string(id))
                    guard try service.history(filter: filter, event: nil, page: 1, pageSize: 1).total > 0 else {
                        throw MemoryError.entityNotFound("Entity \(kind.rawValue) '\(id)'")
                    }
                }
                let deleted = try service.deleteEntity(kind: kind, id: id)
                return .json(JSONValue.object([
                    "message": .string("Entity deleted successfully."), "deleted": .number(Double(deleted)),
                ]))
            }
        }

        // Async adds.
        router.add(.get, "/v1/event/{event_id}") { request in
            let service = engine.serving(request)
            return .json(PlatformJSON.event(try service.job(id: request.pathParameters["event_id"] ?? "")))
        }
        router.add(.get, "/v1/events") { request in
            let service = engine.serving(request)
            let query = QueryParameters(request: request)
            let jobs = try service.jobs(page: try query.integer("page", default: 1), pageSize: try query.integer("page_size", default: 50))
            return .json(PlatformJSON.page(jobs, request: request, path: "/v1/events/", render: PlatformJSON.event))
        }

        router.add(.post, "/v1/feedback") { request in
            let service = engine.serving(request)
            var body = try JSONBody(request)
            let memoryID = body.string("memory_id", required: true)
            let value = body.string("feedback")
            let reason = body.string("feedback_reason")
            try body.finish()
            var feedback: MemoryFeedback.Value?
            if let value {
                guard let known = MemoryFeedback.Value(rawValue: value.uppercased()) else {
                    throw HTTPError(.badRequest, "feedback must be POSITIVE, NEGATIVE, VERY_NEGATIVE or null")
                }
                feedback = known
            }
            let stored = try service.setFeedback(memoryID: memoryID ?? "", feedback, reason: reason)
            return .json(JSONValue.object([
                "id": .string(stored.memoryID), "feedback": stored.feedback.map { .string($0.rawValue) } ?? .null,
                "feedback_reason": PlatformJSON.optional(stored.reason),
            ]))
        }

        // The caller's own project (any other is 404).
        let projectPath = "/api/v1/orgs/organizations/{org_id}/projects/{project_id}"
        router.add(.get, projectPath) { request in
            let service = try ownProject(engine, request)
            let settings = try service.projectSettings()
            // httpx repeats a list parameter (`fields=a&fields=b`); a comma-separated list is read too.
            let fields = request.queryItems.filter { $0.name == "fields" }
                .flatMap { $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            return .json(PlatformJSON.selecting(project(service.project, settings), fields: fields.isEmpty ? nil : fields))
        }
        router.add(.patch, projectPath) { request in
            let service = try ownProject(engine, request)
            var body = try JSONBody(request)
            let instructions = body.string("custom_instructions")
            var categories: [CategoryDefinition]?
            if body.has("custom_categories") { categories = try PlatformInput.customCategories(body.members["custom_categories"] ?? .null) }
            try body.finish()
            if let instructions, instructions.utf8.count > MemoryService.maxInstructionBytes || instructions.utf8.contains(0) {
                throw HTTPError(.badRequest, "custom_instructions must be at most 64 KiB of text without NUL characters")
            }
            let known: Set<String> = ["custom_instructions", "custom_categories"]
            let others = body.members.filter { !known.contains($0.key) && ProjectKeys.other.contains($0.key) }
            guard !body.members.isEmpty else { throw HTTPError(.badRequest, "Nothing to update") }
            try service.updateProjectSettings { settings in
                if body.contains("custom_instructions") { settings.customInstructions = instructions }
                if body.contains("custom_categories") { settings.customCategories = body.has("custom_categories") ? categories : nil }
                for (key, value) in others { settings.other[key] = value == .null ? nil : value }
            }
            return .json(JSONValue.object(["message": .string("Project updated successfully")]))
        }

        // Exports and summaries need an LLM (`MemoryError.needsLLM`, 501, without one).
        router.add(.post, "/v1/exports") { request in
            let service = engine.serving(request)
            let body = try JSONBody(request)
            guard var schema = body.members["schema"], schema != .null else { throw HTTPError(.badRequest, "schema is required") }
            if case .string(let text) = schema {
                guard let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object = parsed else {
                    throw HTTPError(.badRequest, "schema must be a JSON Schema object or its JSON text")
                }
                schema = parsed
            }
            guard case .object = schema else { throw HTTPError(.badRequest, "schema must be a JSON Schema object or its JSON text") }
            var filterMembers = body.members.filter { MemoryField.scopeIDs.map(\.rawValue).contains($0.key) }
            if case .object(let filters)? = body.members["filters"] { filterMembers.merge(filters) { $1 } }
            var filterBody = JSONBody(members: ["filters": .object(filterMembers)])
            let filter = try PlatformInput.filter(&filterBody)
            let export = try service.export(schema: schema, filter: filter, filters: .object(filterMembers))
            return .json(JSONValue.object([
                "message": .string("Memory export request received. The export is ready."), "id": .string(export.id),
            ]), status: .created)
        }
        router.add(.post, "/v1/exports/get") { request in
            let service = engine.serving(request)
            let body = try JSONBody(request, allowEmpty: true)
            let export: MemoryExport?
            if case .string(let id)? = body.members["memory_export_id"] {
                export = try service.export(id: id)
            } else {
                guard service.hasChatModel else { throw MemoryError.needsLLM("A structured export") }
                export = try service.latestExport(filters: body.members["filters"].flatMap { $0 == .null ? nil : $0 })
            }
            guard let export else { throw HTTPError(.notFound, "No such memory export") }
            return .json(export.data)
        }
        router.add(.post, "/v1/summary") { request in
            let service = engine.serving(request)
            var body = try JSONBody(request, allowEmpty: true)
            let filter = try PlatformInput.filter(&body)
            try body.finish()
            let summary = try service.summary(filter: filter)
            return .json(JSONValue.object([
                "summary": .string(summary.text), "memory_count": .number(Double(summary.memoryCount)),
            ]))
        }
    }

    /// The platform project fields Engram keeps as given.
    enum ProjectKeys {
        static let other: Set<String> = ["agent_custom_instructions", "memory_depth", "usecase_setting", "multilingual", "name", "description"]
    }

    /// The handle of the project in the path, which must be the caller's; any other is 404.
    private static func ownProject(_ engine: MemoryService, _ request: HTTPRequest) throws -> MemoryService {
        let principal = Principal(request)
        guard request.pathParameters["org_id"] == PlatformJSON.organisation, request.pathParameters["project_id"] == principal.project else {
            throw HTTPError(.notFound, "Project not found")
        }
        return engine.inProject(principal.project)
    }

    /// A project as the platform answers it.
    private static func project(_ name: String, _ settings: ProjectSettings) -> [String: JSONValue] {
        var object: [String: JSONValue] = [
            "id": .string(name), "project_id": .string(name), "name": .string(name),
            "org_id": .string(PlatformJSON.organisation),
            "custom_instructions": PlatformJSON.optional(settings.customInstructions),
            "custom_categories": .array(settings.categories.map { .object([$0.name: .string($0.description)]) }),
            "created_at": settings.createdAt.map { .string(Timestamp.format($0)) } ?? .null,
            "updated_at": settings.updatedAt.map { .string(Timestamp.format($0)) } ?? .null,
        ]
        for (key, value) in settings.other where object[key] == nil || key == "name" { object[key] = value }
        return object
    }
}
