import Dispatch
import Foundation
import Synchronization

/// Coalesces concurrent embedding calls into shared batches.
///
/// Matrix products on a handful of tokens spend most of their time packing the weight matrices, once per
/// call. When several requests embed at the same time, doing their texts in one batch packs the weights
/// once for all of them. Nothing waits on a timer: `lanes` threads take whatever is queued the moment
/// they are free, so a lone call runs at once and calls made meanwhile go together in the next batch.
public final class BatchingEmbedder: Embedder {
    /// One caller's texts, and where its vectors go.
    private final class Request: @unchecked Sendable {
        let texts: [String]
        let done = DispatchSemaphore(value: 0)
        // Written by the lane that ran the batch before it signals `done`; read by the caller after
        // waiting on `done`. The semaphore orders the two accesses.
        var result: Result<[[Float]], any Error> = .success([])

        init(texts: [String]) {
            self.texts = texts
        }
    }

    private let inner: any Embedder
    private let maxBatchTexts: Int
    private let queue = Mutex<(requests: [Request], stopped: Bool)>(([], false))
    private let queued = DispatchSemaphore(value: 0)
    private let laneCount: Int

    public var modelID: String { inner.modelID }
    public var dimension: Int { inner.dimension }

    /// Wraps `inner` with `lanes` batching threads, each batch of at most `maxBatchTexts` texts (a
    /// larger single request still goes whole).
    public init(wrapping inner: any Embedder, lanes: Int, maxBatchTexts: Int = 64) {
        self.inner = inner
        self.laneCount = max(1, lanes)
        self.maxBatchTexts = max(1, maxBatchTexts)
        for index in 0..<laneCount {
            let thread = Thread { [self] in runLane() }
            thread.name = "engram-embed-\(index)"
            thread.start()
        }
    }

    public func embed(_ text: String) throws -> [Float] {
        try startEmbedding(text).wait()
    }

    public func embed(batch texts: [String]) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let request = try enqueue(texts)
        request.done.wait()
        return try request.result.get()
    }

    /// Queues `text` and returns at once; a lane embeds it while the caller goes on.
    public func startEmbedding(_ text: String) -> PendingEmbedding {
        do {
            let request = try enqueue([text])
            return PendingEmbedding {
                request.done.wait()
                let vectors = try request.result.get()
                guard vectors.count == 1 else { throw BatchingError.wrongCount }
                return vectors[0]
            }
        } catch {
            return PendingEmbedding { throw error }
        }
    }

    private func enqueue(_ texts: [String]) throws -> Request {
        let request = Request(texts: texts)
        let accepted = queue.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.requests.append(request)
            return true
        }
        guard accepted else { throw BatchingError.stopped }
        queued.signal()
        return request
    }

    public func tokenCount(of text: String) -> Int { inner.tokenCount(of: text) }

    /// Lets the lanes finish what is queued and exit; later calls throw.
    public func stop() {
        queue.withLock { $0.stopped = true }
        for _ in 0..<laneCount { queued.signal() }
    }

    private func runLane() {
        while true {
            queued.wait()
            let (batch, stopped): ([Request], Bool) = queue.withLock { state in
                var taken: [Request] = []
                var count = 0
                while let next = state.requests.first, taken.isEmpty || count + next.texts.count <= maxBatchTexts {
                    taken.append(state.requests.removeFirst())
                    count += next.texts.count
                }
                return (taken, state.stopped)
            }
            if batch.isEmpty {
                if stopped { return }
                continue
            }
            run(batch)
        }
    }

    private func run(_ batch: [Request]) {
        let outcome = Result { try inner.embed(batch: batch.flatMap(\.texts)) }
        var offset = 0
        for request in batch {
            switch outcome {
            case .success(let vectors) where vectors.count >= offset + request.texts.count:
                request.result = .success(Array(vectors[offset..<(offset + request.texts.count)]))
            case .success:
                request.result = .failure(BatchingError.wrongCount)
            case .failure(let error):
                request.result = .failure(error)
            }
            offset += request.texts.count
            request.done.signal()
        }
    }

    enum BatchingError: Error {
        case wrongCount
        case stopped
    }
}
