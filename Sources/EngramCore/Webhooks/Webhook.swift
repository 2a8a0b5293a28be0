import Foundation

/// A project's subscription to its memory events (mem0's platform webhooks): each event of a type it
/// subscribes to is POSTed, signed with `secret`, to `url`.
public struct Webhook: Sendable, Equatable {
    /// A UUID string.
    public var id: String
    /// The project whose events it receives; it is invisible to every other project.
    public var project: String
    public var name: String
    /// An absolute `http:` or `https:` URL, checked by `WebhookAddressPolicy` when set.
    public var url: String
    /// The HMAC-SHA256 key deliveries are signed with; shown once, in the create response.
    public var secret: String
    /// Who created it: the id of the project key used, or `admin` for the administrator key.
    public var owner: String
    /// The events it receives, without repeats, in the order given.
    public var eventTypes: [WebhookEventType]
    /// An inactive webhook receives nothing; its pending deliveries wait until it is active again.
    public var isActive: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, project: String, name: String, url: String, secret: String, owner: String,
        eventTypes: [WebhookEventType], isActive: Bool = true, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.project = project
        self.name = name
        self.url = url
        self.secret = secret
        self.owner = owner
        self.eventTypes = eventTypes
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a webhook can subscribe to (mem0's platform names).
public enum WebhookEventType: String, Sendable, Equatable, CaseIterable, Codable {
    /// A memory was stored.
    case memoryAdd = "memory_add"
    /// A memory's text, metadata or expiry changed.
    case memoryUpdate = "memory_update"
    /// A memory was deleted, or superseded by a contradicting fact.
    case memoryDelete = "memory_delete"
    /// A memory stored or changed was given categories.
    case memoryCategorize = "memory_categorize"
    /// A user's profile was generated again (`/v2/profiles/`).
    case profileUpdate = "profile_update"

    /// The type named `name`: mem0's current spelling (`memory_add`) or its older one (`memory:add`),
    /// in any case; nil when unknown.
    public init?(name: String) {
        let canonical = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: ":", with: "_")
        self.init(rawValue: canonical)
    }

    /// How a list of types is stored: a JSON array of their names.
    public static func encode(_ types: [WebhookEventType]) -> String {
        "[" + types.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"
    }

    /// The stored list; unknown names (from a newer version) are skipped.
    public static func decode(_ text: String) -> [WebhookEventType] {
        guard let names = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return [] }
        return names.compactMap(WebhookEventType.init(rawValue:))
    }
}

/// What a webhook change asks for (`PUT api/v1/webhooks/{id}/`): the fields given, the others kept.
public struct WebhookUpdate: Sendable, Equatable {
    public var name: String?
    public var url: String?
    public var eventTypes: [WebhookEventType]?
    public var isActive: Bool?

    public init(name: String? = nil, url: String? = nil, eventTypes: [WebhookEventType]? = nil, isActive: Bool? = nil) {
        self.name = name
        self.url = url
        self.eventTypes = eventTypes
        self.isActive = isActive
    }
}

/// A webhook operation named an id the caller's project has no webhook with (404, whether or not
/// another project has one).
public struct WebhookNotFound: Error, Sendable, Equatable {
    public let id: String

    public init(id: String) { self.id = id }

    /// A client-safe message.
    public var message: String { "Webhook with id \(id) not found" }
}
