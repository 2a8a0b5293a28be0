import CEmbeddingKernels
import Foundation

/// The element-wise and row-wise steps of the encoder on contiguous float buffers: LayerNorm, GELU,
/// softmax, bias broadcasting, pooling and dot products. Reductions run eight lanes wide.
enum VectorKernels {
    private typealias Lanes = SIMD8<Float>
    private static let width = Lanes.scalarCount

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    private static func store(_ value: Lanes, to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }

    /// Copies `vector` (of `width` floats) into each of `rows` consecutive rows of `matrix`.
    static func fillRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, with vector: UnsafePointer<Float>, width: Int) {
        for row in 0..<rows {
            (matrix + row * width).update(from: vector, count: width)
        }
    }

    /// Adds `vector` (of `width` floats) to each of `rows` consecutive rows of `matrix`.
    static func addToRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, vector: UnsafePointer<Float>, width: Int) {
        for row in 0..<rows {
            add(vector, into: matrix + row * width, count: width)
        }
    }

    /// `destination[i] += source[i]` for `count` elements.
    static func add(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        var index = 0
        while index + width <= count {
            store(load(destination + index) + load(source + index), to: destination + index)
            index += width
        }
        while index < count {
            destination[index] += source[index]
            index += 1
        }
    }

    /// Normalises each of `rows` rows of `width` floats in place to zero mean and unit variance, then
    /// scales by `scale` and shifts by `shift` (LayerNorm over the last dimension).
    static func layerNorm(
        _ matrix: UnsafeMutablePointer<Float>, rows: Int, width: Int,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, epsilon: Float
    ) {
        let count = Float(width)
        for row in 0..<rows {
            let values = matrix + row * width
            let mean = sum(values, count: width) / count
            var squares = Lanes()
            var tail: Float = 0
            var index = 0
            while index + Self.width <= width {
                let centred = load(values + index) - Lanes(repeating: mean)
                squares += centred * centred
                index += Self.width
            }
            while index < width {
                let centred = values[index] - mean
                tail += centred * centred
                index += 1
            }
            let inverseDeviation = 1 / (((squares.sum() + tail) / count) + epsilon).squareRoot()
            index = 0
            while index + Self.width <= width {
                let normalised = (load(values + index) - Lanes(repeating: mean)) * inverseDeviation
                store(normalised * load(scale + index) + load(shift + index), to: values + index)
                index += Self.width
            }
            while index < width {
                values[index] = (values[index] - mean) * inverseDeviation * scale[index] + shift[index]
                index += 1
            }
        }
    }

    /// Applies GELU in its exact form, `x · ½ · (1 + erf(x / √2))`, to `count` floats in place. The
    /// loop is C (`engram_gelu`) so that it runs as wide as the CPU's vectors (compiled Swift here
    /// targets the x86-64 baseline, four floats at a time).
    static func gelu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        engram_gelu(values, count)
    }

    /// Replaces each of `rows` rows of `count` floats in place by its softmax (`engram_softmax_rows`).
    static func softmax(_ values: UnsafeMutablePointer<Float>, rows: Int = 1, count: Int) {
        engram_softmax_rows(values, Int32(rows), Int32(count))
    }

    /// The sum of `count` floats.
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = Lanes()
        var tail: Float = 0
        var index = 0
        while index + width <= count {
            lanes += load(values + index)
            index += width
        }
        while index < count {
            tail += values[index]
            index += 1
        }
        return lanes.sum() + tail
    }

    /// The dot product of `count` floats at `first` and `second`.
    static func dot(_ first: UnsafePointer<Float>, _ second: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = Lanes()
        var tail: Float = 0
        var index = 0
        while index + width <= count {
            lanes.addProduct(load(first + index), load(second + index))
            index += width
        }
        while index < count {
            tail += first[index] * second[index]
            index += 1
        }
        return lanes.sum() + tail
    }

    /// The largest of `count` floats (`-infinity` when `count` is 0).
    static func maximum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = Lanes(repeating: -.infinity)
        var tail = -Float.infinity
        var index = 0
        while index + width <= count {
            let next = load(values + index)
            lanes.replace(with: next, where: next .> lanes)
            index += width
        }
        while index < count {
            tail = max(tail, values[index])
            index += 1
        }
        return max(lanes.max(), tail)
    }

    /// The mean of `rows` rows of `width` floats, scaled to unit length (the zero vector stays zero).
    static func normalisedMean(of matrix: UnsafePointer<Float>, rows: Int, width: Int) -> [Float] {
        var mean = [Float](repeating: 0, count: width)
        mean.withUnsafeMutableBufferPointer { mean in
            guard let base = mean.baseAddress else { return }
            for row in 0..<rows {
                add(matrix + row * width, into: base, count: width)
            }
            var squares: Float = 0
            for index in 0..<width {
                base[index] /= Float(max(rows, 1))
                squares += base[index] * base[index]
            }
            let inverseLength = 1 / max(squares.squareRoot(), 1e-12)
            for index in 0..<width {
                base[index] *= inverseLength
            }
        }
        return mean
    }
}
