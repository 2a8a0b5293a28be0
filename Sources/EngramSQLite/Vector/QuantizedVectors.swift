import CEmbeddingKernels

/// An int8 copy of a large candidate set, for a first pass that reads a quarter of the bytes of the
/// float32 scan, and the bounds that keep the search exact.
///
/// Each row `v` is stored as codes `c` (integers in -127...127) and a scale `s`, so that `s·c ≈ v`. For a
/// query `q` the first pass computes `a = s·(q·c)`; the float32 scan would have computed `f ≈ q·v`. Their
/// distance is at most `‖q‖·e` for the row's `e`: the quantization residual `‖v − s·c‖` (Cauchy–Schwarz)
/// plus the rounding of both float sums (`γₙ = n·u / (1 − n·u)` of their magnitudes, `u = 2⁻²⁴`), with a
/// margin for the few roundings around them. A row whose upper bound `a + ‖q‖·e` is below the
/// `limit`-th best lower bound cannot be among the `limit` best by the float32 score, so only the other
/// rows are scored in float32, by the same kernel as the plain scan: the same rows, the same scores, to
/// the bit.
struct QuantizedVectors: Sendable {
    let dimension: Int
    /// `count * dimension` codes, row after row.
    let codes: [Int8]
    /// Per row: its scale (0 for a zero row, or one that is not finite).
    let scales: [Float]
    /// Per row: `e` above (infinite for a row that is not finite, so that it is always scored exactly).
    let errors: [Float]

    private init(dimension: Int, codes: [Int8], scales: [Float], errors: [Float]) {
        self.dimension = dimension
        self.codes = codes
        self.scales = scales
        self.errors = errors
    }

    /// These rows, then `added`'s.
    func appending(_ added: QuantizedVectors) -> QuantizedVectors {
        precondition(added.dimension == dimension)
        return QuantizedVectors(dimension: dimension, codes: codes + added.codes, scales: scales + added.scales,
                                errors: errors + added.errors)
    }

    /// Quantizes `count` rows of `dimension` floats (in C: AVX-512 or a plain loop).
    init(_ vectors: UnsafeBufferPointer<Float>, dimension: Int, count: Int) {
        precondition(vectors.count == dimension * count)
        self.dimension = dimension
        var codes = [Int8](repeating: 0, count: dimension * count)
        var scales = [Float](repeating: 0, count: count)
        var residuals = [Float](repeating: 0, count: count)
        var norms = [Float](repeating: 0, count: count)
        if count > 0, let rows = vectors.baseAddress {
            engram_quantize_rows(rows, Int32(dimension), count, &codes, &scales, &residuals, &norms)
        }
        // The norms were summed in float: a relative error of at most n·u (n terms), which the 1.01
        // below covers many times over for any dimension under 100,000.
        let unit = 0x1p-24
        let n = Double(dimension)
        let gamma = n * unit / (1 - n * unit)
        let errors = (0..<count).map { row -> Float in
            guard norms[row].isFinite, scales[row].isFinite else {
                scales[row] = 0
                return .infinity
            }
            let r = Double(residuals[row])
            let magnitude = Double(norms[row]) + r
            let bound = (r + (2 * gamma + 2 * unit) * magnitude) * 1.01 + 1e-6 * magnitude
            return Float(bound).nextUp
        }
        self.codes = codes
        self.scales = scales
        self.errors = errors
    }

    var count: Int { scales.count }

    /// The rows of `parts` (the int8 copies of a set's segments, in order) that may be among the `limit`
    /// best for `query` by the float32 score, as (part, row) in ascending order; nil when the bounds
    /// cannot be used (a query that is zero or not finite, or `limit` not below the rows in all).
    static func survivors(of query: [Float], limit: Int, in parts: [QuantizedVectors]) -> [(part: Int, row: Int)]? {
        let total = parts.reduce(0) { $0 + $1.count }
        guard limit > 0, limit < total, parts.allSatisfy({ $0.dimension == query.count }) else { return nil }
        var squares = 0.0
        for value in query { squares += Double(value) * Double(value) }
        // Rounded up, so that every bound below is at least the exact one.
        let queryNorm = Float(squares.squareRoot() * (1 + 1e-5))
        guard queryNorm.isFinite, queryNorm > 0 else { return nil }
        var best = TopK(capacity: limit)
        let uppers = parts.enumerated().map { part, quantized in
            quantized.bounds(of: query, queryNorm: queryNorm) { row, lower in
                best.offer(score: lower, index: row, order: Int64(part) << 32 | Int64(row))
            }
        }
        guard let threshold = best.lowest else { return nil }
        var survivors: [(part: Int, row: Int)] = []
        for (part, bounds) in uppers.enumerated() {
            for (row, upper) in bounds.enumerated() where upper >= threshold { survivors.append((part, row)) }
        }
        return survivors
    }

    /// Each row's upper bound for `query` (of norm at most `queryNorm`), its lower bound handed to `lower`.
    private func bounds(of query: [Float], queryNorm: Float, lower: (Int, Float) -> Void) -> [Float] {
        var uppers = [Float](repeating: 0, count: count)
        let block = 1024
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { products in
            guard let out = products.baseAddress else { return }
            query.withUnsafeBufferPointer { query in
                codes.withUnsafeBufferPointer { codes in
                    scales.withUnsafeBufferPointer { scales in
                        errors.withUnsafeBufferPointer { errors in
                            uppers.withUnsafeMutableBufferPointer { uppers in
                                var first = 0
                                while first < count {
                                    let rows = min(block, count - first)
                                    engram_dot_rows_i8(query.baseAddress!, codes.baseAddress! + first * dimension, Int32(dimension), rows, out)
                                    for offset in 0..<rows {
                                        let row = first + offset
                                        let estimate = out[offset] * scales[row]
                                        let bound = queryNorm * errors[row]
                                        lower(row, estimate - bound)
                                        uppers[row] = estimate + bound
                                    }
                                    first += rows
                                }
                            }
                        }
                    }
                }
            }
        }
        return uppers
    }
}
