import EngramCore
import Foundation

extension PostgresMemoryStore {
    static let webhookColumns = "id, project, name, url, secret, owner, event_types, is_active, created_at, updated_at"
    static let deliveryColumns = """
        d.id, d.webhook_id, d.project, d.event_type, d.body, d.status, d.attempts, d.next_attempt_at, d.last_error, \
        d.created_at, d.delivered_at
        """

    /// Stores a new webhook.
    public func insertWebhook(_ webhook: Webhook) throws {
        try withConnection { connection in
            try connection.execute(
                "INSERT INTO webhooks (\(Self.webhookColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                Self.parameters(of: webhook))
        }
    }

    /// Replaces a webhook of its project; false when there is none with its id.
    public func replaceWebhook(_ webhook: Webhook) throws -> Bool {
        try withConnection { connection in
            try connection.execute(
                """
                UPDATE webhooks SET name = $3, url = $4, secret = $5, owner = $6, event_types = $7, is_active = $8,
                    created_at = $9, updated_at = $10
                WHERE id = $1 AND project = $2
                """, Self.parameters(of: webhook)
            ).affectedRows == 1
        }
    }

    /// Removes a webhook of `project` (its deliveries go with it); false when there is none.
    public func deleteWebhook(id: String, project: String) throws -> Bool {
        try withConnection { connection in
            try connection.execute("DELETE FROM webhooks WHERE id = $1 AND project = $2", [.text(id), .text(project)]).affectedRows == 1
        }
    }

    /// The webhook with this id in `project`.
    public func webhook(id: String, project: String) throws -> Webhook? {
        try withConnection { connection in
            let result = try connection.execute(
                "SELECT \(Self.webhookColumns) FROM webhooks WHERE id = $1 AND project = $2", [.text(id), .text(project)])
            return result.rowCount == 0 ? nil : try Self.webhook(from: result, row: 0)
        }
    }

    /// Every webhook of `project`, oldest first.
    public func webhooks(project: String) throws -> [Webhook] {
        try withConnection { connection in
            let result = try connection.execute(
                "SELECT \(Self.webhookColumns) FROM webhooks WHERE project = $1 ORDER BY seq", [.text(project)])
            return try (0..<result.rowCount).map { try Self.webhook(from: result, row: $0) }
        }
    }

    /// Claims the delivery due longest ago of a webhook with no attempt under way (one at a time per
    /// webhook, so a receiver gets events in order unless one is retried; two instances claiming at the
    /// same instant may still overlap). `FOR UPDATE SKIP LOCKED` lets several instances claim at once:
    /// each locks a different row, and a row another claimer holds is passed over.
    public func claimDelivery(now: Date, leaseUntil: Date) throws -> ClaimedDelivery? {
        try withConnection { connection in
            let result = try connection.execute(
                """
                UPDATE webhook_deliveries d SET status = 'RUNNING', attempts = d.attempts + 1, next_attempt_at = $2
                FROM webhooks w
                WHERE w.id = d.webhook_id AND d.seq = (
                    SELECT due.seq FROM webhook_deliveries due JOIN webhooks hook ON hook.id = due.webhook_id
                    WHERE due.status IN ('PENDING', 'RUNNING') AND due.next_attempt_at <= $1 AND hook.is_active
                        AND NOT EXISTS (
                            SELECT 1 FROM webhook_deliveries r
                            WHERE r.webhook_id = due.webhook_id AND r.status = 'RUNNING' AND r.next_attempt_at > $1
                        )
                    ORDER BY due.next_attempt_at, due.seq LIMIT 1 FOR UPDATE OF due SKIP LOCKED
                )
                RETURNING \(Self.deliveryColumns), w.url, w.secret
                """, [.timestamp(now), .timestamp(leaseUntil)])
            guard result.rowCount > 0 else { return nil }
            return ClaimedDelivery(
                delivery: try Self.delivery(from: result, row: 0), url: try result.requiredText(0, 11),
                secret: try result.requiredText(0, 12))
        }
    }

    /// Records how a claimed attempt ended; false when the delivery is no longer running.
    @discardableResult
    public func finishDelivery(id: String, _ outcome: DeliveryOutcome) throws -> Bool {
        let (status, error, next, delivered): (String, String?, Date, Date?) = switch outcome {
        case .delivered(let at): ("DELIVERED", nil, at, at)
        case .retry(let error, let next): ("PENDING", error, next, nil)
        case .failed(let error, let at): ("FAILED", error, at, nil)
        }
        return try withConnection { connection in
            try connection.execute(
                """
                UPDATE webhook_deliveries SET status = $1, last_error = coalesce($2, last_error), next_attempt_at = $3, delivered_at = $4
                WHERE id = $5 AND status = 'RUNNING'
                """, [.text(status), .text(error), .timestamp(next), .timestamp(delivered), .text(id)]
            ).affectedRows == 1
        }
    }

    /// Every RUNNING delivery due again at `now`.
    public func requeueRunningDeliveries(now: Date) throws -> Int {
        try withConnection { connection in
            try connection.execute(
                "UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = $1 WHERE status = 'RUNNING'", [.timestamp(now)]
            ).affectedRows
        }
    }

    /// Removes deliveries finished before `before`.
    public func pruneDeliveries(before: Date) throws -> Int {
        try withConnection { connection in
            try connection.execute(
                "DELETE FROM webhook_deliveries WHERE status IN ('DELIVERED', 'FAILED') AND next_attempt_at < $1",
                [.timestamp(before)]
            ).affectedRows
        }
    }

    /// The deliveries of one webhook in `project`, newest first.
    public func deliveries(webhookID: String, project: String, limit: Int) throws -> [WebhookDelivery] {
        try withConnection { connection in
            let result = try connection.execute(
                """
                SELECT \(Self.deliveryColumns) FROM webhook_deliveries d
                WHERE d.webhook_id = $1 AND d.project = $2 ORDER BY d.seq DESC LIMIT $3
                """, [.text(webhookID), .text(project), .int8(max(0, limit))])
            return try (0..<result.rowCount).map { try Self.delivery(from: result, row: $0) }
        }
    }

    /// Writes outbox rows; part of `apply`'s transaction.
    static func insert(_ deliveries: [WebhookDelivery], _ connection: PostgresConnection) throws {
        for delivery in deliveries {
            try connection.execute(
                """
                INSERT INTO webhook_deliveries (id, webhook_id, project, event_type, body, status, attempts, next_attempt_at,
                    last_error, created_at, delivered_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """,
                [
                    .text(delivery.id), .text(delivery.webhookID), .text(delivery.project), .text(delivery.eventType.rawValue),
                    .text(delivery.body), .text(delivery.status.rawValue), .int8(delivery.attempts),
                    .timestamp(delivery.nextAttemptAt), .text(delivery.lastError), .timestamp(delivery.createdAt),
                    .timestamp(delivery.deliveredAt),
                ])
        }
    }

    private static func parameters(of webhook: Webhook) -> [PostgresParameter] {
        [
            .text(webhook.id), .text(webhook.project), .text(webhook.name), .text(webhook.url), .text(webhook.secret),
            .text(webhook.owner), .jsonb(WebhookEventType.encode(webhook.eventTypes)), .bool(webhook.isActive),
            .timestamp(webhook.createdAt), .timestamp(webhook.updatedAt),
        ]
    }

    static func webhook(from result: PostgresResult, row: Int) throws -> Webhook {
        Webhook(
            id: try result.requiredText(row, 0), project: try result.requiredText(row, 1), name: try result.requiredText(row, 2),
            url: try result.requiredText(row, 3), secret: try result.requiredText(row, 4), owner: try result.requiredText(row, 5),
            eventTypes: WebhookEventType.decode(try result.jsonb(row, 6) ?? "[]"), isActive: try result.bool(row, 7),
            createdAt: try result.requiredDate(row, 8), updatedAt: try result.requiredDate(row, 9))
    }

    static func delivery(from result: PostgresResult, row: Int) throws -> WebhookDelivery {
        guard let type = WebhookEventType(rawValue: try result.requiredText(row, 3)),
              let status = WebhookDelivery.Status(rawValue: try result.requiredText(row, 5))
        else { throw PostgresStoreError.malformedRow }
        return WebhookDelivery(
            id: try result.requiredText(row, 0), webhookID: try result.requiredText(row, 1), project: try result.requiredText(row, 2),
            eventType: type, body: try result.requiredText(row, 4), status: status, attempts: try result.requiredInt(row, 6),
            nextAttemptAt: try result.requiredDate(row, 7), lastError: result.text(row, 8), createdAt: try result.requiredDate(row, 9),
            deliveredAt: try result.date(row, 10))
    }
}
