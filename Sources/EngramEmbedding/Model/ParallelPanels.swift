import CEmbeddingKernels
import Foundation
import Synchronization

/// Lends idle cores to the panels of one linear layer.
///
/// The caller of `run` always works through the chunks itself; helper threads that are idle at that
/// moment take chunks too, claimed one at a time from a shared counter, so a product never waits for a
/// busy helper. Products are shared only while a single forward pass is running: on a loaded server
/// (several passes at once, one per core) each pass keeps to its own core and the helpers sleep, and
/// on a quiet one a single text's products use every core.
///
/// Helpers spin briefly after each product before sleeping, because a forward pass asks for its next
/// product a few microseconds after the last one.
final class ParallelPanels: Sendable {
    /// One shared product: `chunks` pieces of work, claimed by index.
    private final class Job: @unchecked Sendable {
        let chunks: Int
        // Called by the caller and by helpers; what it captures (the product's pointers) lives until
        // `run` returns, which is after every chunk has finished.
        let body: (Int) -> Void
        let next = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)

        init(chunks: Int, body: @escaping (Int) -> Void) {
            self.chunks = chunks
            self.body = body
        }

        /// Claims and runs chunks until none is left.
        func work() {
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < chunks else { return }
                body(index)
                if finished.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == chunks {
                    done.signal()
                }
            }
        }
    }

    /// What the helpers share with callers; helpers hold this, not the pool, so the pool's `deinit`
    /// can stop them.
    private final class State: Sendable {
        /// The job helpers may join, and the number of jobs posted so far.
        let posted = Mutex<(job: Job?, generation: Int)>((nil, 0))
        /// `posted.generation`, readable without the lock while spinning.
        let generation = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)
        /// Set while a caller shares a product.
        let busy = Atomic<Bool>(false)
        /// Forward passes running now (`enterPass` / `leavePass`).
        let passes = Atomic<Int>(0)
        let wake = NSCondition()
    }

    /// Helper threads (not counting callers).
    let helperCount: Int
    private let state = State()

    /// Starts `helpers` helper threads; with none, `run` runs everything on the caller.
    init(helpers: Int) {
        helperCount = max(0, helpers)
        for index in 0..<helperCount {
            let state = state
            let thread = Thread { Self.helperLoop(state) }
            thread.name = "engram-embed-\(index + 1)"
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    deinit {
        state.wake.lock()
        state.stopped.store(true, ordering: .releasing)
        state.generation.add(1, ordering: .releasing)
        state.wake.broadcast()
        state.wake.unlock()
    }

    /// Marks the start of a forward pass; products are shared only while one pass runs.
    func enterPass() {
        state.passes.add(1, ordering: .relaxed)
    }

    /// Marks the end of a forward pass started with `enterPass`.
    func leavePass() {
        state.passes.subtract(1, ordering: .relaxed)
    }

    /// Runs `body(0) … body(chunks - 1)`, each exactly once, on this thread and any idle helpers;
    /// returns when all have finished.
    func run(chunks: Int, _ body: @escaping (Int) -> Void) {
        guard chunks > 1, helperCount > 0, state.passes.load(ordering: .relaxed) <= 1,
              state.busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for index in 0..<chunks { body(index) }
            return
        }
        let job = Job(chunks: chunks, body: body)
        state.wake.lock()
        state.posted.withLock { $0 = (job, $0.generation + 1) }
        state.generation.add(1, ordering: .releasing)
        state.wake.broadcast()
        state.wake.unlock()

        job.work()
        job.done.wait()
        state.posted.withLock { $0.job = nil }
        state.busy.store(false, ordering: .releasing)
    }

    private static func helperLoop(_ state: State) {
        var seen = 0
        while !state.stopped.load(ordering: .acquiring) {
            // Spin for a few hundred microseconds for the next product of the same forward pass,
            // then sleep until one is posted.
            var spins = 0
            while state.generation.load(ordering: .acquiring) == seen, spins < 4_000 {
                engram_cpu_relax()
                spins += 1
            }
            if state.generation.load(ordering: .acquiring) == seen {
                state.wake.lock()
                while state.generation.load(ordering: .acquiring) == seen {
                    state.wake.wait()
                }
                state.wake.unlock()
            }
            let current = state.posted.withLock { ($0.job, $0.generation) }
            seen = current.1
            current.0?.work()
        }
    }
}
