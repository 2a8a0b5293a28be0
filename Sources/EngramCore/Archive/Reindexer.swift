import Foundation

/// Re-embeds every memory with `embedder` (`engram reindex`): new vectors are staged beside the old
/// ones, batch by batch, and swapped in by one transaction once every memory has one; only then does
/// the store record the new model. Killed half-way, a new run keeps what was staged for the same model
/// and goes on from there. A memory whose text changed after it was staged is embedded again.
public struct Reindexer {
    public let store: any AdminStore
    public let embedder: any Embedder
    public var batchSize = 64

    public init(store: any AdminStore, embedder: any Embedder, batchSize: Int = 64) {
        self.store = store
        self.embedder = embedder
        self.batchSize = batchSize
    }

    /// What a run did.
    public struct Outcome: Sendable, Equatable {
        /// Memories embedded by this run.
        public var embedded: Int
        /// Memories staged by an earlier, interrupted run and kept.
        public var resumed: Int
        public var total: Int
    }

    /// Runs to the swap; `progress` gets (memories with a new vector, all memories) after each batch.
    public func run(progress: (Int, Int) -> Void) throws -> Outcome {
        guard embedder.dimension > 0 else { throw MemoryError.invalid("The embedder reports no dimension") }
        try store.beginReindex(model: embedder.modelID, dimension: embedder.dimension)
        let (total, staged) = try store.reindexProgress()
        var done = staged
        var embedded = 0
        progress(done, total)
        // One pass in id order, then passes over what changed meanwhile, until nothing is left.
        var after: String?
        var sweeps = 0
        while true {
            let pending = try store.reindexPending(after: after, limit: batchSize)
            guard let last = pending.last else {
                sweeps += 1
                if after == nil || sweeps > 3 { break }
                after = nil
                continue
            }
            let vectors = try embedder.embed(batch: pending.map(\.text))
            guard vectors.count == pending.count, vectors.allSatisfy({ $0.count == embedder.dimension }) else {
                throw MemoryError.invalid("The embedder answered \(vectors.count) vectors of the wrong size for \(pending.count) texts")
            }
            try store.stage(zip(pending, vectors).map { StagedVector(memoryID: $0.id, hash: $0.hash, embedding: $1) })
            embedded += pending.count
            done = min(total, done + pending.count)
            progress(done, total)
            after = last.id
        }
        try store.finishReindex(model: embedder.modelID, dimension: embedder.dimension)
        let final = try store.reindexProgress().total
        progress(final, final)
        return Outcome(embedded: embedded, resumed: staged, total: final)
    }
}
