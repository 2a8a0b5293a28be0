import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
    static let webhookColumns = "id, project, name, url, secret, owner, event_types, is_active, created_at, updated_at"
    static let deliveryColumns = """
        d.id, d.webhook_id, d.project, d.event_type, d.body, d.status, d.attempts, d.next_attempt_at, d.last_error, \
        d.created_at, d.delivered_at
        """

    public func insertWebhook(_ webhook: Webhook) throws {
        try write { db in
            try db.cachedStatement(sql: "INSERT INTO webhooks (\(Self.webhookColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .execute(arguments: Self.arguments(of: webhook))
        }
    }

    public func replaceWebhook(_ webhook: Webhook) throws -> Bool {
        try write { db in
            try db.cachedStatement(sql: """
                UPDATE webhooks SET name = ?3, url = ?4, secret = ?5, owner = ?6, event_types = ?7, is_active = ?8,
                    created_at = ?9, updated_at = ?10
                WHERE id = ?1 AND project = ?2
                """).execute(arguments: Self.arguments(of: webhook))
            return db.changesCount == 1
        }
    }

    public func deleteWebhook(id: String, project: String) throws -> Bool {
        try write { db in
            try db.cachedStatement(sql: "DELETE FROM webhooks WHERE id = ? AND project = ?").execute(arguments: [id, project])
            return db.changesCount == 1
        }
    }

    public func webhook(id: String, project: String) throws -> Webhook? {
        try read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.webhookColumns) FROM webhooks WHERE id = ? AND project = ?"),
                arguments: [id, project]
            ).map(Self.webhook(from:))
        }
    }

    public func webhooks(project: String) throws -> [Webhook] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT \(Self.webhookColumns) FROM webhooks WHERE project = ? ORDER BY seq"),
                arguments: [project]
            ).map(Self.webhook(from:))
        }
    }

    /// The delivery due longest ago of a webhook with no attempt under way (one at a time per webhook,
    /// so a receiver gets events in order unless one is retried), claimed inside the single write
    /// transaction, so no two claimers get it.
    public func claimDelivery(now: Date, leaseUntil: Date) throws -> ClaimedDelivery? {
        let due = """
            FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status IN ('PENDING', 'RUNNING') AND d.next_attempt_at <= ?1 AND w.is_active = 1
                AND NOT EXISTS (
                    SELECT 1 FROM webhook_deliveries r
                    WHERE r.webhook_id = d.webhook_id AND r.status = 'RUNNING' AND r.next_attempt_at > ?1
                )
            """
        let time = StoredTime.string(from: now)
        // Idle workers poll: look with a reader first, so polling never takes the write lock.
        let pending = try read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 \(due))"), arguments: [time]) ?? false
        }
        guard pending else { return nil }
        return try write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.deliveryColumns), w.url, w.secret \(due) ORDER BY d.next_attempt_at, d.seq LIMIT 1"),
                arguments: [time])
            else { return nil }
            var delivery = try Self.delivery(from: row)
            delivery.status = .running
            delivery.attempts += 1
            delivery.nextAttemptAt = StoredTime.normalised(leaseUntil)
            try db.cachedStatement(sql: "UPDATE webhook_deliveries SET status = 'RUNNING', attempts = ?, next_attempt_at = ? WHERE id = ?")
                .execute(arguments: [delivery.attempts, StoredTime.string(from: leaseUntil), delivery.id])
            return ClaimedDelivery(delivery: delivery, url: row["url"], secret: row["secret"])
        }
    }

    @discardableResult
    public func finishDelivery(id: String, _ outcome: DeliveryOutcome) throws -> Bool {
        let (status, error, next, delivered): (String, String?, Date, Date?) = switch outcome {
        case .delivered(let at): ("DELIVERED", nil, at, at)
        case .retry(let error, let next): ("PENDING", error, next, nil)
        case .failed(let error, let at): ("FAILED", error, at, nil)
        }
        return try write { db in
            try db.cachedStatement(sql: """
                UPDATE webhook_deliveries SET status = ?, last_error = coalesce(?, last_error), next_attempt_at = ?, delivered_at = ?
                WHERE id = ? AND status = 'RUNNING'
                """).execute(arguments: [
                    status, error, StoredTime.string(from: next), delivered.map(StoredTime.string(from:)), id,
                ])
            return db.changesCount == 1
        }
    }

    public func requeueRunningDeliveries(now: Date) throws -> Int {
        try write { db in
            try db.cachedStatement(sql: "UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = ? WHERE status = 'RUNNING'")
                .execute(arguments: [StoredTime.string(from: now)])
            return db.changesCount
        }
    }

    public func pruneDeliveries(before: Date) throws -> Int {
        try write { db in
            try db.cachedStatement(sql: """
                DELETE FROM webhook_deliveries WHERE status IN ('DELIVERED', 'FAILED') AND next_attempt_at < ?
                """).execute(arguments: [StoredTime.string(from: before)])
            return db.changesCount
        }
    }

    public func deliveries(webhookID: String, project: String, limit: Int) throws -> [WebhookDelivery] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT \(Self.deliveryColumns) FROM webhook_deliveries d
                    WHERE d.webhook_id = ? AND d.project = ? ORDER BY d.seq DESC LIMIT ?
                    """),
                arguments: [webhookID, project, max(0, limit)]
            ).map(Self.delivery(from:))
        }
    }

    /// Writes outbox rows; part of `apply`'s transaction.
    static func insert(_ deliveries: [WebhookDelivery], _ db: Database) throws {
        guard !deliveries.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO webhook_deliveries (id, webhook_id, project, event_type, body, status, attempts, next_attempt_at,
                last_error, created_at, delivered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for delivery in deliveries {
            try insert.execute(arguments: [
                delivery.id, delivery.webhookID, delivery.project, delivery.eventType.rawValue, delivery.body,
                delivery.status.rawValue, delivery.attempts, StoredTime.string(from: delivery.nextAttemptAt), delivery.lastError,
                StoredTime.string(from: delivery.createdAt), delivery.deliveredAt.map(StoredTime.string(from:)),
            ])
        }
    }

    private static func arguments(of webhook: Webhook) -> StatementArguments {
        [
            webhook.id, webhook.project, webhook.name, webhook.url, webhook.secret, webhook.owner,
            WebhookEventType.encode(webhook.eventTypes), webhook.isActive, StoredTime.string(from: webhook.createdAt),
            StoredTime.string(from: webhook.updatedAt),
        ]
    }

    static func webhook(from row: Row) throws -> Webhook {
        guard let created = StoredTime.date(from: row["created_at"]), let updated = StoredTime.date(from: row["updated_at"]) else {
            throw SQLiteStoreError(code: 0, description: "A webhook row has an unreadable time")
        }
        return Webhook(
            id: row["id"], project: row["project"], name: row["name"], url: row["url"], secret: row["secret"], owner: row["owner"],
            eventTypes: WebhookEventType.decode(row["event_types"]), isActive: row["is_active"], createdAt: created,
            updatedAt: updated)
    }

    static func delivery(from row: Row) throws -> WebhookDelivery {
        func time(_ column: String) -> Date? { (row[column] as String?).flatMap(StoredTime.date(from:)) }
        guard let type = WebhookEventType(rawValue: row["event_type"]), let status = WebhookDelivery.Status(rawValue: row["status"]),
              let next = time("next_attempt_at"), let created = time("created_at")
        else { throw SQLiteStoreError(code: 0, description: "A webhook delivery row has an unknown type, status or time") }
        return WebhookDelivery(
            id: row["id"], webhookID: row["webhook_id"], project: row["project"], eventType: type, body: row["body"],
            status: status, attempts: row["attempts"], nextAttemptAt: next, lastError: row["last_error"], createdAt: created,
            deliveredAt: time("delivered_at"))
    }
}
