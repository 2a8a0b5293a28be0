import Foundation
import Synchronization

/// What every project handle of one engine shares about webhooks: each project's webhook list as last
/// read (so a memory write costs no extra read while nothing changed), and the signal that wakes idle
/// delivery workers when this process writes deliveries.
final class WebhookState: Sendable {
    let signal = JobSignal()
    private let cache = Mutex<[String: (webhooks: [Webhook], readAt: Date)]>([:])

    /// The active webhooks of `project`: from the cache when read less than `lifetime` ago, else from
    /// `read`.
    func active(project: String, lifetime: TimeInterval, now: Date, read: () throws -> [Webhook]) throws -> [Webhook] {
        if let entry = cache.withLock({ $0[project] }), now.timeIntervalSince(entry.readAt) < lifetime, entry.readAt <= now {
            return entry.webhooks
        }
        let webhooks = try read().filter(\.isActive)
        cache.withLock { $0[project] = (webhooks, now) }
        return webhooks
    }

    /// Forgets `project`'s list after one of its webhooks changed.
    func invalidate(project: String) {
        _ = cache.withLock { $0.removeValue(forKey: project) }
    }
}
