/// Dot products of float vectors with SIMD registers (cosine similarity of unit vectors).
enum DotProduct {
    /// The dot product of `count` floats at `a` and `b`.
    @inline(__always)
    static func compute(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sums = SIMD16<Float>()
        var index = 0
        let rawA = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        let stride = MemoryLayout<Float>.stride
        while index + 16 <= count {
            let x = rawA.loadUnaligned(fromByteOffset: index * stride, as: SIMD16<Float>.self)
            let y = rawB.loadUnaligned(fromByteOffset: index * stride, as: SIMD16<Float>.self)
            // `sums += x * y`, not `addProduct`: the fused form lowers to a libm `fmaf` call per lane
            // on x86-64 without FMA enabled at compile time, many times slower.
            sums += x * y
            index += 16
        }
        var total = sums.sum()
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }
}
