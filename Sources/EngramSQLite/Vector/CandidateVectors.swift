import CEmbeddingKernels

/// The vectors of one search's candidate memories, row after row in one contiguous buffer, with the
/// `seq` and id of each row's memory. Immutable once built, so it can be shared by concurrent searches.
struct CandidateVectors: Sendable {
    /// Floats per vector.
    let dimension: Int
    /// `seqs.count * dimension` floats.
    let vectors: [Float]
    /// The memories' `seq`, one per vector.
    let seqs: [Int64]
    /// The memories' ids, one per vector: search results name memories by id, so a scan needs no query
    /// to turn its winners into results.
    let ids: [String]
    /// The set's size in the cache's unit (4 bytes): its floats plus the bytes of its ids.
    let floatCount: Int

    init(dimension: Int, vectors: [Float], seqs: [Int64], ids: [String]) {
        precondition(seqs.count == ids.count && vectors.count == seqs.count * dimension)
        self.dimension = dimension
        self.vectors = vectors
        self.seqs = seqs
        self.ids = ids
        floatCount = vectors.count + (ids.reduce(0) { $0 + $1.utf8.count } + 3) / 4
    }

    /// The `limit` best (highest dot product with `query`) rows as (seq, id, score), best first; ties go
    /// to the earlier row. `query` must have `dimension` floats.
    func nearest(to query: [Float], limit: Int) -> [(seq: Int64, id: String, score: Float)] {
        guard limit > 0, !seqs.isEmpty, query.count == dimension else { return [] }
        var heap = TopK(capacity: limit)
        // Scores a block of rows at a time in C (AVX-512 or AVX2), then offers them to the heap.
        let block = 1024
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { scores in
            query.withUnsafeBufferPointer { queryBuffer in
                vectors.withUnsafeBufferPointer { rows in
                    guard let queryBase = queryBuffer.baseAddress, let base = rows.baseAddress, let out = scores.baseAddress else { return }
                    var first = 0
                    while first < seqs.count {
                        let count = min(block, seqs.count - first)
                        engram_dot_rows(queryBase, base + first * dimension, Int32(dimension), count, out)
                        for offset in 0..<count {
                            heap.offer(score: out[offset], index: first + offset)
                        }
                        first += count
                    }
                }
            }
        }
        return heap.sortedDescending().map { (seqs[$0.index], ids[$0.index], $0.score) }
    }
}
