import Foundation

extension MemoryService {
    /// The event types a webhook gets when it names none.
    public static let defaultWebhookEvents: [WebhookEventType] = [.memoryAdd, .memoryUpdate, .memoryDelete]

    /// How this engine checks and delivers webhooks.
    public var webhookSettings: WebhookSettings { configuration.webhooks }

    /// Registers a webhook for this project, after checking its URL (`WebhookAddressPolicy`). `owner`
    /// names who registered it. The returned webhook carries its secret.
    public func createWebhook(name: String?, url: String, eventTypes: [WebhookEventType]?, owner: String) throws -> Webhook {
        let settings = configuration.webhooks
        let existing = try store.webhooks(project: project)
        guard existing.count < settings.maxWebhooksPerProject else {
            throw MemoryError.invalid("A project may have at most \(settings.maxWebhooksPerProject) webhooks")
        }
        let url = try checkedWebhookURL(url)
        let time = now()
        let webhook = Webhook(
            id: Self.newID(), project: project, name: try checkedWebhookName(name ?? URLComponents(string: url)?.host ?? url),
            url: url, secret: WebhookSignature.newSecret(), owner: owner,
            eventTypes: try checkedEventTypes(eventTypes ?? Self.defaultWebhookEvents), createdAt: time, updatedAt: time)
        try store.insertWebhook(webhook)
        shared.webhooks.invalidate(project: project)
        return webhook
    }

    /// This project's webhooks, oldest first.
    public func webhooks() throws -> [Webhook] { try store.webhooks(project: project) }

    /// Changes the given fields of one of this project's webhooks; `WebhookNotFound` when it has none
    /// with this id (whatever other projects have).
    public func updateWebhook(id: String, _ update: WebhookUpdate) throws -> Webhook {
        guard var webhook = try store.webhook(id: id, project: project) else { throw WebhookNotFound(id: id) }
        if let name = update.name { webhook.name = try checkedWebhookName(name) }
        if let url = update.url { webhook.url = try checkedWebhookURL(url) }
        if let types = update.eventTypes { webhook.eventTypes = try checkedEventTypes(types) }
        if let active = update.isActive { webhook.isActive = active }
        webhook.updatedAt = now()
        guard try store.replaceWebhook(webhook) else { throw WebhookNotFound(id: id) }
        shared.webhooks.invalidate(project: project)
        return webhook
    }

    /// Removes one of this project's webhooks and its undelivered events.
    public func deleteWebhook(id: String) throws {
        guard try store.deleteWebhook(id: id, project: project) else { throw WebhookNotFound(id: id) }
        shared.webhooks.invalidate(project: project)
    }

    /// The latest deliveries of one of this project's webhooks, newest first.
    public func webhookDeliveries(id: String, limit: Int = 50) throws -> [WebhookDelivery] {
        guard try store.webhook(id: id, project: project) != nil else { throw WebhookNotFound(id: id) }
        return try store.deliveries(webhookID: id, project: project, limit: limit)
    }

    private func checkedWebhookURL(_ url: String) throws -> String {
        let url = url.trimmingCharacters(in: .whitespaces)
        guard !url.isEmpty, url.utf8.count <= configuration.webhooks.maxURLBytes,
              !url.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw MemoryError.invalid("url must be a URL of at most \(configuration.webhooks.maxURLBytes) bytes") }
        let settings = configuration.webhooks
        _ = try WebhookAddressPolicy(allowPrivateAddresses: settings.allowPrivateAddresses).check(url, resolver: settings.resolver)
        return url
    }

    private func checkedWebhookName(_ name: String) throws -> String {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.utf8.count <= configuration.webhooks.maxNameBytes, !name.utf8.contains(0) else {
            throw MemoryError.invalid("name must be 1 to \(configuration.webhooks.maxNameBytes) bytes of text")
        }
        return name
    }

    private func checkedEventTypes(_ types: [WebhookEventType]) throws -> [WebhookEventType] {
        var seen = Set<WebhookEventType>()
        let unique = types.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { throw MemoryError.invalid("event_types must name at least one event type") }
        return unique
    }

    // MARK: Events

    /// Queues a `profile_update` event for every subscribed active webhook of this project (in the
    /// outbox, with a transaction of its own: the profile itself is stored beside it).
    func queueProfileEvent(userID: String, profile: UserProfile) throws {
        let time = now()
        let hooks = try shared.webhooks.active(project: project, lifetime: configuration.webhooks.cacheLifetime, now: time) {
            try store.webhooks(project: project)
        }.filter { $0.eventTypes.contains(.profileUpdate) }
        guard !hooks.isEmpty else { return }
        let body = WebhookPayload.profileBody(userID: userID, profile: profile, eventID: Self.newID(), project: project, at: time)
        var changes = MemoryChanges()
        changes.project = project
        changes.recordedAt = time
        changes.webhookDeliveries = hooks.map { hook in
            WebhookDelivery(id: Self.newID(), webhookID: hook.id, project: project, eventType: .profileUpdate, body: body,
                            nextAttemptAt: time, createdAt: time)
        }
        try store.apply(changes)
    }

    /// The outbox rows for `changes`: one per event and subscribed active webhook of this project. An
    /// insert is `memory_add`, an update `memory_update`, a deletion or supersession `memory_delete`;
    /// an insert, or an update of the text, that has categories is also `memory_categorize`.
    func webhookDeliveries(for changes: MemoryChanges) throws -> [WebhookDelivery] {
        guard !(changes.inserts.isEmpty && changes.updates.isEmpty && changes.deletions.isEmpty && changes.supersessions.isEmpty)
        else { return [] }
        let settings = configuration.webhooks
        let time = changes.recordedAt ?? now()
        let hooks = try shared.webhooks.active(project: project, lifetime: settings.cacheLifetime, now: time) {
            try store.webhooks(project: project)
        }
        guard !hooks.isEmpty else { return [] }
        let wanted = Set(hooks.flatMap(\.eventTypes))
        var events: [(type: WebhookEventType, memory: [String: JSONValue], previous: String?)] = []
        for memory in changes.inserts {
            events.append((.memoryAdd, WebhookPayload.memory(memory), nil))
            if !memory.categories.isEmpty { events.append((.memoryCategorize, WebhookPayload.memory(memory), nil)) }
        }
        for memory in changes.updates {
            let row = changes.history.last { $0.memoryID == memory.id && $0.event == .update }
            events.append((.memoryUpdate, WebhookPayload.memory(memory), row?.oldMemory))
            if !memory.categories.isEmpty, let row, row.oldMemory != row.newMemory {
                events.append((.memoryCategorize, WebhookPayload.memory(memory), nil))
            }
        }
        let removed = changes.deletions + changes.supersessions
        if wanted.contains(.memoryDelete), !removed.isEmpty {
            let known = try store.memories(ids: removed, project: project)
            let purged = Set(changes.purges)
            for id in removed {
                let row = changes.history.last { $0.memoryID == id && $0.event == .delete }
                var memory: [String: JSONValue]
                if let stored = known[id] {
                    memory = WebhookPayload.memory(stored)
                    memory["state"] = .string(changes.supersessions.contains(id) ? "superseded" : "deleted")
                } else if let row {
                    memory = WebhookPayload.memory(row)
                } else {
                    continue
                }
                // A purge erases the text from history; the outbox must not keep a copy of it.
                if purged.contains(id) { memory["memory"] = .null }
                events.append((.memoryDelete, memory, nil))
            }
        }
        var deliveries: [WebhookDelivery] = []
        for event in events where wanted.contains(event.type) {
            let body = WebhookPayload.body(
                event.type, eventID: Self.newID(), memory: event.memory, previousText: event.previous, project: project, at: time)
            for hook in hooks where hook.eventTypes.contains(event.type) {
                deliveries.append(WebhookDelivery(
                    id: Self.newID(), webhookID: hook.id, project: project, eventType: event.type, body: body,
                    nextAttemptAt: time, createdAt: time))
            }
        }
        return deliveries
    }
}
