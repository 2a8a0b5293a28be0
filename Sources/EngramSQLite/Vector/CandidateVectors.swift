/// The vectors of one search's candidate memories, row after row in one contiguous buffer, with the
/// `seq` of each row's memory. Immutable once built, so it can be shared by concurrent searches.
struct CandidateVectors: Sendable {
    /// Floats per vector.
    let dimension: Int
    /// `seqs.count * dimension` floats.
    let vectors: [Float]
    /// The memories' `seq`, one per vector.
    let seqs: [Int64]

    /// How many floats the set holds (its cost in the cache).
    var floatCount: Int { vectors.count }

    /// The `limit` best (highest dot product with `query`) rows as (seq, score), best first; ties go to
    /// the earlier row. `query` must have `dimension` floats.
    func nearest(to query: [Float], limit: Int) -> [(seq: Int64, score: Float)] {
        guard limit > 0, !seqs.isEmpty else { return [] }
        var heap = TopK(capacity: limit)
        query.withUnsafeBufferPointer { queryBuffer in
            vectors.withUnsafeBufferPointer { rows in
                guard let queryBase = queryBuffer.baseAddress, let base = rows.baseAddress else { return }
                for row in 0..<seqs.count {
                    let score = DotProduct.compute(queryBase, base + row * dimension, count: dimension)
                    heap.offer(score: score, index: row)
                }
            }
        }
        return heap.sortedDescending().map { (seqs[$0.index], $0.score) }
    }
}
