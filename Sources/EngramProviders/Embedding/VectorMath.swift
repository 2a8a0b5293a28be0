/// Arithmetic on embedding vectors.
enum VectorMath {
    /// `vector` divided by its Euclidean length; a zero vector is returned unchanged. nil when any
    /// component (or the length) is not finite.
    static func normalized(_ vector: [Float]) -> [Float]? {
        var sum: Double = 0
        for value in vector {
            guard value.isFinite else { return nil }
            sum += Double(value) * Double(value)
        }
        let length = sum.squareRoot()
        guard length.isFinite else { return nil }
        guard length > 0 else { return vector }
        return vector.map { Float(Double($0) / length) }
    }
}
