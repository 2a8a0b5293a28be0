import Foundation
import Synchronization

/// Delivers the webhook outbox on threads of its own (never the HTTP workers or the Swift concurrency
/// pool), off every request's path: each worker claims the delivery due longest ago, checks the URL
/// again (`WebhookAddressPolicy`: DNS may have changed since registration) and pins the connection to
/// the vetted addresses, POSTs it signed, and records the outcome: delivered on 2xx, else due again
/// after the next wait of `WebhookSettings.retryDelays`, or failed after the last attempt.
///
/// At start, deliveries a crash left running are due again at once when the store is this process's
/// alone; with a shared store (a job lease is configured) they are claimed again when their lease ends.
public final class WebhookDispatcher: Sendable {
    private let service: MemoryService
    private let transport: any WebhookTransport
    private let log: @Sendable (String) -> Void
    private let stopped = Mutex(false)
    private let finished = DispatchGroup()

    /// `log` receives one line per recovery, per failed delivery and per store problem (no bodies,
    /// secrets or URLs' query strings).
    public init(service: MemoryService, transport: any WebhookTransport, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.service = service
        self.transport = transport
        self.log = log
    }

    private var settings: WebhookSettings { service.configuration.webhooks }

    /// Recovers interrupted deliveries, then starts the workers.
    public func start() throws {
        if !service.recoversPeriodically {
            let requeued = try service.store.requeueRunningDeliveries(now: service.now())
            if requeued > 0 { log("Webhook deliveries interrupted by a stop are due again: \(requeued)") }
        }
        let workers = max(1, settings.workers)
        for index in 0..<workers {
            finished.enter()
            let thread = Thread { [self] in
                defer { finished.leave() }
                var lastPrune = Date.distantPast
                while !stopped.withLock({ $0 }) {
                    if index == 0, Date().timeIntervalSince(lastPrune) > 3600 {
                        lastPrune = Date()
                        _ = try? service.store.pruneDeliveries(before: service.now().addingTimeInterval(-settings.retention))
                    }
                    do {
                        if try !deliverNext() { service.shared.webhooks.signal.wait(timeout: settings.pollInterval) }
                    } catch {
                        log("Webhook worker could not reach the store: \(error)")
                        service.shared.webhooks.signal.wait(timeout: settings.pollInterval)
                    }
                }
            }
            thread.name = "engram-webhooks-\(index)"
            thread.start()
        }
    }

    /// Stops claiming and waits up to `timeout` for attempts under way; one still under way then is
    /// sent again after the next start.
    @discardableResult
    public func stop(timeout: TimeInterval) -> Bool {
        stopped.withLock { $0 = true }
        for _ in 0..<max(1, settings.workers) { service.shared.webhooks.signal.notify() }
        return finished.wait(timeout: .now() + timeout) == .success
    }

    /// Claims and attempts one due delivery; false when none was due.
    func deliverNext() throws -> Bool {
        let settings = self.settings
        let now = service.now()
        guard let claimed = try service.store.claimDelivery(now: now, leaseUntil: now.addingTimeInterval(settings.lease)) else {
            return false
        }
        let delivery = claimed.delivery
        let response: WebhookResponse
        do {
            let target = try WebhookAddressPolicy(allowPrivateAddresses: settings.allowPrivateAddresses)
                .check(claimed.url, resolver: transport)
            let request = WebhookRequest(
                url: claimed.url, pins: target.pins,
                headers: WebhookSignature.headers(for: delivery, secret: claimed.secret, now: Date()),
                body: Data(delivery.body.utf8))
            response = transport.send(request)
        } catch let error as MemoryError {
            response = .failure(error.message)
        }
        let end = service.now()
        let outcome: DeliveryOutcome
        if response.isSuccess {
            outcome = .delivered(at: end)
        } else if let wait = settings.delay(afterAttempt: delivery.attempts) {
            outcome = .retry(error: response.summary, next: end.addingTimeInterval(wait))
        } else {
            outcome = .failed(error: response.summary, at: end)
            log("Webhook delivery \(delivery.id) (\(delivery.eventType.rawValue)) failed after \(delivery.attempts) attempts: \(response.summary)")
        }
        try service.store.finishDelivery(id: delivery.id, outcome)
        return true
    }
}
