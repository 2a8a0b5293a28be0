import Foundation

/// The JSON body of an event (docs/webhooks.md):
///
/// ```json
/// {"event": "memory_add", "event_id": "…", "project": "default", "timestamp": "2026-…+00:00",
///  "memory": {"id", "memory", "user_id", "agent_id", "app_id", "run_id", "metadata", "categories",
///             "created_at", "updated_at", "state"},
///  "previous_memory": "…" (memory_update only),
///  "event_details": {"id": "<memory id>", "data": {"memory": "…"}, "event": "ADD"}}
/// ```
///
/// `event_details` repeats mem0's platform payload, so receivers written for mem0 keep working.
enum WebhookPayload {
    /// The body for one event about `memory`, as compact JSON with sorted keys.
    static func body(
        _ type: WebhookEventType, eventID: String, memory: [String: JSONValue], previousText: String?, project: String, at time: Date
    ) -> String {
        var object: [String: JSONValue] = [
            "event": .string(type.rawValue), "event_id": .string(eventID), "project": .string(project),
            "timestamp": .string(timestamp(time)), "memory": .object(memory),
        ]
        if let previousText { object["previous_memory"] = .string(previousText) }
        let legacy: String = switch type {
        case .memoryAdd: "ADD"
        case .memoryUpdate: "UPDATE"
        case .memoryDelete: "DELETE"
        case .memoryCategorize: "CATEGORIZE"
        case .profileUpdate: "PROFILE_UPDATE"
        }
        object["event_details"] = .object([
            "id": memory["id"] ?? .null, "data": .object(["memory": memory["memory"] ?? .null]), "event": .string(legacy),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(JSONValue.object(object))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The body of a `profile_update` event: `{"event", "event_id", "project", "timestamp", "profile":
    /// {"entity_type": "user", "entity_id", "profile", "generation_count", "updated_at"}}`.
    static func profileBody(userID: String, profile: UserProfile, eventID: String, project: String, at time: Date) -> String {
        let object: [String: JSONValue] = [
            "event": .string(WebhookEventType.profileUpdate.rawValue), "event_id": .string(eventID), "project": .string(project),
            "timestamp": .string(timestamp(time)),
            "profile": .object([
                "entity_type": .string("user"), "entity_id": .string(userID), "profile": profile.profile ?? .null,
                "generation_count": .number(Double(profile.generationCount)),
                "updated_at": profile.updatedAt.map { .string(timestamp($0)) } ?? .null,
            ]),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(JSONValue.object(object))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A memory as events show it (the API's fields, without hash or embedding).
    static func memory(_ memory: Memory) -> [String: JSONValue] {
        var object = scope(memory.scope, id: memory.id, text: memory.text)
        object["metadata"] = memory.metadata.map { .object($0) } ?? .null
        object["categories"] = .array(memory.categories.map(JSONValue.string))
        object["created_at"] = .string(timestamp(memory.createdAt))
        object["updated_at"] = .string(timestamp(memory.updatedAt))
        object["state"] = .string(memory.state.rawValue)
        return object
    }

    /// What a history row tells of a memory no longer readable.
    static func memory(_ event: HistoryEvent) -> [String: JSONValue] {
        var object = scope(event.scope, id: event.memoryID, text: event.oldMemory)
        object["metadata"] = .null
        object["categories"] = .array([])
        return object
    }

    private static func scope(_ scope: Scope, id: String, text: String?) -> [String: JSONValue] {
        [
            "id": .string(id), "memory": text.map(JSONValue.string) ?? .null,
            "user_id": scope.userID.map(JSONValue.string) ?? .null, "agent_id": scope.agentID.map(JSONValue.string) ?? .null,
            "app_id": scope.appID.map(JSONValue.string) ?? .null, "run_id": scope.runID.map(JSONValue.string) ?? .null,
        ]
    }

    /// ISO-8601 in UTC with microseconds, as the API writes times (`2026-04-14T10:22:33.123456+00:00`).
    static func timestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        var whole = time_t(seconds)
        var parts = tm()
        gmtime_r(&whole, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(micros - seconds * 1_000_000))
    }
}
