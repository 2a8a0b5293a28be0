import Foundation
import Synchronization

/// A fixed set of threads running submitted jobs in order. Handlers block on I/O (databases, providers),
/// so they run here, on threads we own, never on Swift concurrency's cooperative pool.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () -> Void

    private let jobs = Mutex<(queue: [Job], head: Int, stopped: Bool)>(([], 0, false))
    private let available = DispatchSemaphore(value: 0)
    private let threadCount: Int

    /// Starts `threadCount` threads named after `name`.
    init(threadCount: Int, name: String) {
        self.threadCount = max(1, threadCount)
        for index in 0..<self.threadCount {
            let thread = Thread { [self] in self.work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Queues a job; a free thread runs it.
    func submit(_ job: @escaping Job) {
        jobs.withLock { state in state.queue.append(job) }
        available.signal()
    }

    /// Lets every thread finish its current job and exit; queued jobs still run first.
    func stop() {
        jobs.withLock { $0.stopped = true }
        for _ in 0..<threadCount { available.signal() }
    }

    private func work() {
        while true {
            available.wait()
            let next: Job? = jobs.withLock { state in
                guard state.head < state.queue.count else { return nil }
                let job = state.queue[state.head]
                state.head += 1
                if state.head > 64, state.head * 2 > state.queue.count {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            if let next {
                next()
            } else if jobs.withLock({ $0.stopped }) {
                return
            }
        }
    }
}
