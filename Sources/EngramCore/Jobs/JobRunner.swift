import Foundation
import Synchronization

/// Wakes idle job workers when a job is queued (they also poll, for jobs queued by other processes).
final class JobSignal: Sendable {
    private let condition = NSCondition()
    private let pending = Mutex(0)

    func notify() {
        condition.lock()
        pending.withLock { $0 += 1 }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until notified or `timeout` passes.
    func wait(timeout: TimeInterval) {
        condition.lock()
        defer { condition.unlock() }
        if pending.withLock({ count in
            guard count > 0 else { return false }
            count -= 1
            return true
        }) { return }
        _ = condition.wait(until: Date().addingTimeInterval(timeout))
        pending.withLock { $0 = max(0, $0 - 1) }
    }
}

/// Runs async adds on threads of its own (never the HTTP workers or the Swift concurrency pool):
/// at start, recovers jobs a crash left running; then each worker claims and runs jobs until stopped.
public final class JobRunner: Sendable {
    private let service: MemoryService
    private let workers: Int
    private let pollInterval: TimeInterval
    private let log: @Sendable (String) -> Void
    private let stopped = Mutex(false)
    private let finished = DispatchGroup()

    /// `log` receives one line per recovery and per failed job (no memory text).
    public init(service: MemoryService, workers: Int = 2, pollInterval: TimeInterval = 1, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.service = service
        self.workers = max(1, workers)
        self.pollInterval = pollInterval
        self.log = log
    }

    /// Recovers interrupted jobs, then starts the workers.
    public func start() throws {
        let (requeued, failed) = try service.recoverInterruptedJobs()
        if requeued + failed > 0 { log("Recovered interrupted add jobs: \(requeued) queued again, \(failed) failed after too many attempts") }
        for index in 0..<workers {
            finished.enter()
            let thread = Thread { [self] in
                defer { finished.leave() }
                var lastRecovery = Date()
                while !stopped.withLock({ $0 }) {
                    // With several processes on one store, one of them may die mid-job at any time.
                    if index == 0, service.recoversPeriodically, Date().timeIntervalSince(lastRecovery) > 60 {
                        lastRecovery = Date()
                        if let (requeued, failed) = try? service.recoverInterruptedJobs(), requeued + failed > 0 {
                            log("Recovered abandoned add jobs: \(requeued) queued again, \(failed) failed")
                        }
                    }
                    do {
                        if try !service.runNextJob(log: log) { service.jobSignal.wait(timeout: pollInterval) }
                    } catch {
                        log("Job worker could not reach the store: \(error)")
                        service.jobSignal.wait(timeout: pollInterval)
                    }
                }
            }
            thread.name = "engram-jobs-\(index)"
            thread.start()
        }
    }

    /// Stops claiming jobs and waits up to `timeout` for running ones; a job still running then is
    /// recovered at the next start.
    @discardableResult
    public func stop(timeout: TimeInterval) -> Bool {
        stopped.withLock { $0 = true }
        for _ in 0..<workers { service.jobSignal.notify() }
        return finished.wait(timeout: .now() + timeout) == .success
    }
}
