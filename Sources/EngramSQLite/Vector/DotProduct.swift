import CEmbeddingKernels

/// Dot products of float vectors (cosine similarity of unit vectors), on the C kernel of the exact scan.
enum DotProduct {
    /// The dot product of two vectors of the same length.
    static func compute(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "dot product of vectors of different lengths")
        var score: Float = 0
        engram_dot_rows(a, b, Int32(a.count), 1, &score)
        return score
    }
}
