import Foundation

/// One event on its way to one webhook: a row of the durable outbox, written in the same transaction
/// as the memory change it reports, so an event is never lost nor sent for a change that rolled back.
/// Delivered at least once: a process that dies mid-delivery sends it again after restart, with the
/// same `id` (`X-Engram-Delivery`), by which a receiver can recognise a repeat.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Waiting for `nextAttemptAt`.
        case pending = "PENDING"
        /// Claimed by a worker until `nextAttemptAt` (its lease); after that, anyone may claim it again.
        case running = "RUNNING"
        /// The receiver answered 2xx.
        case delivered = "DELIVERED"
        /// Every attempt failed; `lastError` says how the last one did.
        case failed = "FAILED"
    }

    /// A UUID string, sent as `X-Engram-Delivery`.
    public var id: String
    public var webhookID: String
    public var project: String
    public var eventType: WebhookEventType
    /// The exact JSON bytes POSTed and signed (`WebhookPayload`).
    public var body: String
    public var status: Status
    /// Attempts so far, including a running one.
    public var attempts: Int
    public var nextAttemptAt: Date
    /// How the last failed attempt failed (`HTTP 500`, a connection error, ...), without any body; kept
    /// once delivered.
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(
        id: String, webhookID: String, project: String, eventType: WebhookEventType, body: String, status: Status = .pending,
        attempts: Int = 0, nextAttemptAt: Date, lastError: String? = nil, createdAt: Date, deliveredAt: Date? = nil
    ) {
        self.id = id
        self.webhookID = webhookID
        self.project = project
        self.eventType = eventType
        self.body = body
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

/// A delivery claimed by a worker, with where and how to send it.
public struct ClaimedDelivery: Sendable, Equatable {
    public var delivery: WebhookDelivery
    /// The webhook's URL and secret at claim time.
    public var url: String
    public var secret: String

    public init(delivery: WebhookDelivery, url: String, secret: String) {
        self.delivery = delivery
        self.url = url
        self.secret = secret
    }
}

/// How an attempt ended, recorded by `WebhookStore.finishDelivery`.
public enum DeliveryOutcome: Sendable, Equatable {
    /// 2xx.
    case delivered(at: Date)
    /// Failed; tried again at `next`.
    case retry(error: String, next: Date)
    /// Failed for the last time.
    case failed(error: String, at: Date)
}

/// Durable storage of webhooks and their outbox; part of every `MemoryStore`. Outbox rows are written
/// by `MemoryStore.apply` (`MemoryChanges.webhookDeliveries`), in the memory change's transaction.
public protocol WebhookStore: Sendable {
    /// Stores a new webhook.
    func insertWebhook(_ webhook: Webhook) throws

    /// Replaces a webhook of `webhook.project` (same id); false when it has none with that id.
    func replaceWebhook(_ webhook: Webhook) throws -> Bool

    /// Removes a webhook of `project` and its outbox rows; false when it has none with that id.
    func deleteWebhook(id: String, project: String) throws -> Bool

    /// The webhook with this id in `project`.
    func webhook(id: String, project: String) throws -> Webhook?

    /// Every webhook of `project`, oldest first.
    func webhooks(project: String) throws -> [Webhook]

    /// Claims the delivery due longest ago (PENDING, or RUNNING past its lease) of an active webhook
    /// that has no other attempt under way: RUNNING, one more attempt, leased until `leaseUntil`. Safe
    /// when several processes claim at once.
    func claimDelivery(now: Date, leaseUntil: Date) throws -> ClaimedDelivery?

    /// Records how a claimed attempt ended; false when the delivery is gone (its webhook was deleted).
    @discardableResult
    func finishDelivery(id: String, _ outcome: DeliveryOutcome) throws -> Bool

    /// Deliveries left RUNNING by a process that died: due again at `now`. For a store one process owns
    /// (SQLite), called at start; shared stores rely on the lease instead.
    func requeueRunningDeliveries(now: Date) throws -> Int

    /// Removes DELIVERED and FAILED deliveries finished before `before`; returns how many.
    func pruneDeliveries(before: Date) throws -> Int

    /// The deliveries of one webhook in `project`, newest first, at most `limit`.
    func deliveries(webhookID: String, project: String, limit: Int) throws -> [WebhookDelivery]
}
