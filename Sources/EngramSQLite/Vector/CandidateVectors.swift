import CEmbeddingKernels

/// One run of a candidate set's rows: vectors row after row in one contiguous buffer, with the `seq`
/// and id of each row's memory, and their int8 copy when the set is large. Immutable.
final class VectorSegment: Sendable {
    let dimension: Int
    /// `count * dimension` floats.
    let vectors: [Float]
    /// The memories' `seq`, one per vector.
    let seqs: [Int64]
    /// The memories' ids, one per vector: search results name memories by id, so a scan needs no query
    /// to turn its winners into results.
    let ids: [String]
    /// An int8 copy for a first pass over large sets (`QuantizedVectors`), when built.
    let quantized: QuantizedVectors?
    /// The bytes of the ids, in all.
    let idBytes: Int
    /// The largest `seq` (0 when empty).
    let maxSeq: Int64

    init(dimension: Int, vectors: [Float], seqs: [Int64], ids: [String], quantized: QuantizedVectors?, idBytes: Int? = nil) {
        precondition(seqs.count == ids.count && vectors.count == seqs.count * dimension)
        precondition(quantized.map { $0.count == seqs.count && $0.dimension == dimension } ?? true)
        self.dimension = dimension
        self.vectors = vectors
        self.seqs = seqs
        self.ids = ids
        self.quantized = quantized
        self.idBytes = idBytes ?? ids.reduce(0) { $0 + $1.utf8.count }
        maxSeq = seqs.max() ?? 0
    }

    var count: Int { seqs.count }

    /// The cache's unit (4 bytes): floats, the int8 copy and the bytes of the ids.
    var floatCount: Int {
        vectors.count + (quantized.map { ($0.codes.count + 3) / 4 + 2 * $0.count } ?? 0) + (idBytes + 3) / 4
    }

    /// This segment with its int8 copy.
    func quantizing() -> VectorSegment {
        guard quantized == nil else { return self }
        let copy = vectors.withUnsafeBufferPointer { QuantizedVectors($0, dimension: dimension, count: count) }
        return VectorSegment(dimension: dimension, vectors: vectors, seqs: seqs, ids: ids, quantized: copy, idBytes: idBytes)
    }

    /// This segment's rows, then `other`'s, in one; with an int8 copy when either has one.
    func merged(with other: VectorSegment) -> VectorSegment {
        let quantized: QuantizedVectors? = self.quantized == nil && other.quantized == nil
            ? nil : quantizing().quantized!.appending(other.quantizing().quantized!)
        return VectorSegment(dimension: dimension, vectors: vectors + other.vectors, seqs: seqs + other.seqs,
                             ids: ids + other.ids, quantized: quantized, idBytes: idBytes + other.idBytes)
    }
}

/// The vectors of one search's candidate memories, as a few segments of rows. Immutable once built, so
/// it can be shared by concurrent searches; a set brought up to date by inserts shares the segments it
/// had and adds one (merging the small ones at its end), so a search after an insert copies no more
/// than the short segments it merges.
struct CandidateVectors: Sendable {
    /// Floats per vector.
    let dimension: Int
    /// The rows, in runs; none is empty.
    let segments: [VectorSegment]
    /// Rows in all.
    let count: Int
    /// The largest `seq` of the set (0 when empty): memories stored later have larger ones.
    let maxSeq: Int64
    /// The set's size in the cache's unit (4 bytes): its floats, its int8 copy and the bytes of its ids.
    let floatCount: Int

    /// A set of `seqs.count` vectors in one segment; with `quantizing`, also their int8 copy.
    init(dimension: Int, vectors: [Float], seqs: [Int64], ids: [String], quantizing: Bool = false) {
        let quantized = quantizing && !seqs.isEmpty
            ? vectors.withUnsafeBufferPointer { QuantizedVectors($0, dimension: dimension, count: seqs.count) }
            : nil
        let segment = VectorSegment(dimension: dimension, vectors: vectors, seqs: seqs, ids: ids, quantized: quantized)
        self.init(dimension: dimension, segments: seqs.isEmpty ? [] : [segment])
    }

    private init(dimension: Int, segments: [VectorSegment]) {
        self.dimension = dimension
        self.segments = segments
        count = segments.reduce(0) { $0 + $1.count }
        maxSeq = segments.map(\.maxSeq).max() ?? 0
        floatCount = segments.reduce(0) { $0 + $1.floatCount }
    }

    /// Whether every row has an int8 copy (and there are rows).
    var isQuantized: Bool { !segments.isEmpty && segments.allSatisfy { $0.quantized != nil } }

    /// This set and `added` (rows of the same dimension) in one: `added`'s rows come after this set's.
    /// Once the set holds `quantizingFrom` rows, every segment has its int8 copy (only rows without one
    /// are quantized). A segment is merged into the one before it while that one is at most twice its
    /// size, so a set holds about log₂ of its rows in segments, and a row is copied about as often.
    func appending(_ added: CandidateVectors, quantizingFrom: Int) -> CandidateVectors {
        precondition(added.dimension == dimension)
        guard added.count > 0 else { return self }
        var segments = self.segments + added.segments
        if count + added.count >= quantizingFrom {
            segments = segments.map { $0.quantizing() }
        }
        while segments.count >= 2, segments[segments.count - 2].count <= 2 * segments[segments.count - 1].count {
            let last = segments.removeLast()
            segments[segments.count - 1] = segments[segments.count - 1].merged(with: last)
        }
        return CandidateVectors(dimension: dimension, segments: segments)
    }

    /// The `limit` best (highest dot product with `query`) rows as (seq, id, score), best first; ties go
    /// to the larger `seq` (the memory stored last). `query` must have `dimension` floats.
    func nearest(to query: [Float], limit: Int) -> [(seq: Int64, id: String, score: Float)] {
        ranked(query, limit: limit).hits
    }

    /// `nearest`, and how many rows were scored in float32 (all of them, unless the int8 pass ruled
    /// some out). The scores and their order do not depend on which way was taken.
    func ranked(_ query: [Float], limit: Int) -> (hits: [(seq: Int64, id: String, score: Float)], exactlyScored: Int) {
        guard limit > 0, count > 0, query.count == dimension else { return ([], 0) }
        var heap = TopK(capacity: limit)
        // A heap entry's index names its segment (high 32 bits) and row.
        func index(_ segment: Int, _ row: Int) -> Int { segment << 32 | row }
        var exactlyScored = 0
        query.withUnsafeBufferPointer { queryBuffer in
            guard let queryBase = queryBuffer.baseAddress else { return }
            if isQuantized, let survivors = QuantizedVectors.survivors(of: query, limit: limit, in: segments.map { $0.quantized! }) {
                // Each row is scored alone by the same kernel the full scan runs: the same bits.
                var score: Float = 0
                for (part, row) in survivors {
                    let segment = segments[part]
                    segment.vectors.withUnsafeBufferPointer { rows in
                        engram_dot_rows(queryBase, rows.baseAddress! + row * dimension, Int32(dimension), 1, &score)
                    }
                    heap.offer(score: score, index: index(part, row), order: -segment.seqs[row])
                }
                exactlyScored = survivors.count
                return
            }
            // Scores a block of rows at a time in C (AVX-512 or AVX2), then offers them to the heap.
            let block = 1024
            withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { scores in
                guard let out = scores.baseAddress else { return }
                for (part, segment) in segments.enumerated() {
                    segment.vectors.withUnsafeBufferPointer { rows in
                        guard let base = rows.baseAddress else { return }
                        var first = 0
                        while first < segment.count {
                            let rowCount = min(block, segment.count - first)
                            engram_dot_rows(queryBase, base + first * dimension, Int32(dimension), rowCount, out)
                            for offset in 0..<rowCount {
                                heap.offer(score: out[offset], index: index(part, first + offset), order: -segment.seqs[first + offset])
                            }
                            first += rowCount
                        }
                    }
                }
            }
            exactlyScored = count
        }
        let hits = heap.sortedDescending().map { entry in
            let segment = segments[entry.index >> 32]
            let row = entry.index & 0xFFFF_FFFF
            return (segment.seqs[row], segment.ids[row], entry.score)
        }
        return (hits, exactlyScored)
    }
}
