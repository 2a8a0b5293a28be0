import EngramCore
import EngramHTTP
import Foundation

/// mem0's platform profiles (the 2.2 client's `*_profile*` calls): per-project settings, durable
/// generation jobs (idempotent by `Idempotency-Key`), and a user's profile with its status. Profiles
/// need an LLM: without one every profile is `not_enabled` and jobs are refused, saying why.
enum PlatformProfileRoutes {
    static func register(on router: inout Router, engine: MemoryService) {
        router.add(.get, "/v2/profiles/settings") { request in
            let service = engine.serving(request)
            return .json(settings(service, try service.projectSettings().profile ?? ProfileSettings()))
        }
        router.add(.post, "/v2/profiles/settings") { request in
            let service = engine.serving(request)
            let body = try JSONBody(request)
            for key in body.members.keys where key != "enabled" && key != "entities" {
                throw HTTPError(.badRequest, "Unsupported settings: '\(key)' (schema and custom_instructions go under entities.user)")
            }
            var enabled: Bool?
            switch body.members["enabled"] {
            case .none, .some(.null): enabled = nil
            case .some(.bool(let flag)): enabled = flag
            case .some: throw HTTPError(.badRequest, "enabled must be a boolean")
            }
            var user: [String: JSONValue]?
            if let entities = body.members["entities"], entities != .null {
                guard case .object(let byType) = entities, byType.keys.allSatisfy({ $0 == "user" }) else {
                    throw HTTPError(.badRequest, "entities takes settings for 'user' only")
                }
                guard case .object(let object)? = byType["user"] else { throw HTTPError(.badRequest, "entities.user must be an object") }
                for key in object.keys where key != "schema" && key != "custom_instructions" {
                    throw HTTPError(.badRequest, "Unsupported settings: entities.user.\(key)")
                }
                user = object
            }
            if let schema = user?["schema"], schema != .null { try checkSchema(schema) }
            if case .some(let value) = user?["custom_instructions"], value != .null {
                guard case .string(let text) = value, text.utf8.count <= MemoryService.maxInstructionBytes, !text.utf8.contains(0) else {
                    throw HTTPError(.badRequest, "custom_instructions must be at most 64 KiB of text without NUL characters")
                }
            }
            let updated = try service.updateProjectSettings { settings in
                var profile = settings.profile ?? ProfileSettings()
                if let enabled { profile.enabled = enabled }
                if let user {
                    if let schema = user["schema"] { profile.schema = schema == .null ? nil : schema }
                    if let instructions = user["custom_instructions"] { profile.customInstructions = instructions.stringValue }
                }
                settings.profile = profile
            }
            return .json(settings(service, updated.profile ?? ProfileSettings()))
        }

        router.add(.post, "/v2/profiles/jobs") { request in
            let service = engine.serving(request)
            var body = try JSONBody(request)
            let operation = body.string("operation", required: true)
            let entityType = body.string("entity_type") ?? "user"
            let entityID = body.string("entity_id")
            let limit = body.integer("limit") ?? 3
            try body.finish()
            guard entityType == "user" else { throw HTTPError(.badRequest, "Profiles are kept for users only (entity_type 'user')") }
            guard let kind = ProfileJobRequest.Operation(rawValue: operation ?? "") else {
                throw HTTPError(.badRequest, "operation must be 'trigger' or 'sample'")
            }
            guard (1...MemoryService.maxProfileSample).contains(limit) else {
                throw HTTPError(.badRequest, "limit must be between 1 and \(MemoryService.maxProfileSample)")
            }
            let key = request.headers["idempotency-key"].map { $0.trimmingCharacters(in: .whitespaces) }
            if let key, key.isEmpty || key.utf8.count > 255 { throw HTTPError(.badRequest, "Idempotency-Key must be 1 to 255 characters") }
            var users: [String]
            switch kind {
            case .trigger:
                guard let entityID else { throw HTTPError(.badRequest, "entity_id is required for operation 'trigger'") }
                let id = try Scope.normalisedID(entityID, name: "entity_id")
                guard try service.entities().contains(where: { $0.kind == .user && $0.id == id }) else {
                    throw MemoryError.entityNotFound("User '\(id)'")
                }
                users = [id]
            case .sample:
                users = try service.profileSample(limit: limit)
            }
            let (job, stored, replayed) = try service.enqueueProfileJob(kind, userIDs: users, idempotencyKey: key)
            users = stored.userIDs
            var object: [String: JSONValue] = [
                "job_id": .string(job.id), "event_id": .string(job.id), "status": .string(job.status.rawValue.lowercased()),
                "status_url": .string("/v2/profiles/jobs/\(job.id)/"), "operation": .string(stored.operation.rawValue),
                "entity_type": .string("user"), "entity_count_reserved": .number(Double(users.count)), "replayed": .bool(replayed),
            ]
            if stored.operation == .sample {
                object["sampled"] = .number(Double(users.count))
                object["entity_ids"] = .array(users.map(JSONValue.string))
            }
            return .json(JSONValue.object(object), status: replayed ? .ok : .accepted)
        }
        router.add(.get, "/v2/profiles/jobs/{job_id}") { request in
            let service = engine.serving(request)
            let id = request.pathParameters["job_id"] ?? ""
            guard let job = try? service.job(id: id), let stored = ProfileJobRequest.from(job) else {
                throw HTTPError(.notFound, "Profile job \(id) not found")
            }
            let results = job.results.flatMap { try? JSONDecoder().decode(ProfileJobResults.self, from: Data($0.utf8)) }
            return .json(JSONValue.object(["job": .object([
                "id": .string(job.id), "status": .string(job.status.rawValue.lowercased()), "operation": .string(stored.operation.rawValue),
                "entity_type": .string("user"), "entity_ids": .array(stored.userIDs.map(JSONValue.string)),
                "total": .number(Double(stored.userIDs.count)), "enumeration_complete": .bool(true),
                "completed": .number(Double(results?.completed ?? 0)), "succeeded": .number(Double(results?.succeeded ?? 0)),
                "failed": .number(Double(results?.failed ?? 0)), "skipped": .number(Double(results?.skipped ?? 0)),
                "error": PlatformJSON.optional(job.error),
                "created_at": .string(Timestamp.format(job.createdAt)),
                "completed_at": job.completedAt.map { .string(Timestamp.format($0)) } ?? .null,
            ])]))
        }
        router.add(.get, "/v2/entities/user/{user_id}/profile") { request in
            let service = engine.serving(request)
            let userID = request.pathParameters["user_id"] ?? ""
            let profile = try service.profile(userID: userID)
            var object: [String: JSONValue] = [
                "entity_type": .string("user"), "entity_id": .string(userID), "status": .string(profile.status.rawValue),
                "profile": profile.profile ?? .null, "generation_count": .number(Double(profile.generationCount)),
                "updated_at": profile.updatedAt.map { .string(Timestamp.format($0)) } ?? .null,
            ]
            if let error = profile.error { object["message"] = .string(error) }
            return .json(JSONValue.object(object))
        }
    }

    /// The settings as the client reads them back.
    private static func settings(_ service: MemoryService, _ profile: ProfileSettings) -> JSONValue {
        .object([
            "enabled": .bool(profile.enabled),
            "capabilities": .object([
                "llm_configured": .bool(service.hasChatModel), "entity_types": .array([.string("user")]),
                "generation": .bool(service.hasChatModel && profile.enabled && profile.schema != nil),
            ]),
            "entities": .object(["user": .object([
                "schema": profile.schema ?? .null, "custom_instructions": PlatformJSON.optional(profile.customInstructions),
            ])]),
        ])
    }

    /// A profile schema: a JSON Schema object with `properties`, each with a `description`.
    private static func checkSchema(_ schema: JSONValue) throws {
        guard case .object(let object) = schema, case .object(let properties)? = object["properties"], !properties.isEmpty else {
            throw HTTPError(.badRequest, "schema must be a JSON Schema object with properties")
        }
        guard properties.count <= 200 else { throw HTTPError(.badRequest, "schema has more than 200 properties") }
        for (name, property) in properties {
            guard case .object(let fields) = property, case .string(let description)? = fields["description"], !description.isEmpty else {
                throw HTTPError(.badRequest, "schema property '\(name)' needs a description")
            }
        }
    }
}
