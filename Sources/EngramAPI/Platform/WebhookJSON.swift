import EngramCore

/// Webhooks and deliveries as the API shows them.
enum WebhookJSON {
    /// mem0's webhook object: `{webhook_id, name, url, owner, event_types, project, is_active,
    /// created_at, updated_at}`, plus `secret` in the create response only.
    static func item(_ webhook: Webhook, withSecret: Bool = false) -> [String: JSONValue] {
        var object: [String: JSONValue] = [
            "webhook_id": .string(webhook.id), "name": .string(webhook.name), "url": .string(webhook.url),
            "owner": .string(webhook.owner), "event_types": .array(webhook.eventTypes.map { .string($0.rawValue) }),
            "project": .string(webhook.project), "is_active": .bool(webhook.isActive),
            "created_at": .string(Timestamp.format(webhook.createdAt)), "updated_at": .string(Timestamp.format(webhook.updatedAt)),
        ]
        if withSecret { object["secret"] = .string(webhook.secret) }
        return object
    }

    /// A delivery without its body: `{delivery_id, event_type, status, attempts, next_attempt_at,
    /// last_error, created_at, delivered_at}`.
    static func delivery(_ delivery: WebhookDelivery) -> JSONValue {
        .object([
            "delivery_id": .string(delivery.id), "event_type": .string(delivery.eventType.rawValue),
            "status": .string(delivery.status.rawValue), "attempts": .number(Double(delivery.attempts)),
            "next_attempt_at": .string(Timestamp.format(delivery.nextAttemptAt)),
            "last_error": delivery.lastError.map(JSONValue.string) ?? .null,
            "created_at": .string(Timestamp.format(delivery.createdAt)),
            "delivered_at": delivery.deliveredAt.map { .string(Timestamp.format($0)) } ?? .null,
        ])
    }
}
