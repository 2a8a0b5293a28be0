@testable import EngramEmbedding
import Foundation
import Testing

@Suite("Activation math")
struct ActivationMathTests {
    /// `count` evenly spaced inputs from `low` to `high`.
    private func inputs(from low: Float, to high: Float, count: Int) -> [Float] {
        (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    @Test("softmax agrees with one computed in Double, saturates instead of overflowing, and sums to one")
    func softmaxMatchesDouble() {
        for spread in [Float(0.01), 1, 10, 80, 1000] {
            var row = inputs(from: -spread, to: spread, count: 301)
            let largest = Double(spread)
            let exact = row.map { Foundation.exp(Double($0) - largest) }
            let total = exact.reduce(0, +)
            row.withUnsafeMutableBufferPointer { VectorKernels.softmax($0.baseAddress.unsafelyUnwrapped, count: $0.count) }
            #expect(row.allSatisfy { $0.isFinite && $0 >= 0 })
            #expect(abs(Double(row.reduce(0, +)) - 1) < 1e-5, "spread \(spread)")
            let worst = zip(row, exact).map { abs(Double($0) - $1 / total) }.max() ?? 1
            #expect(worst < 1e-6, "spread \(spread): \(worst)")
        }
    }

    @Test("softmax over several rows of any width finds the largest value wherever it lies")
    func softmaxRowsOfEveryWidth() {
        for width in [1, 2, 5, 15, 16, 17, 31, 32, 33, 118, 256] {
            let rows = 3
            // Scattered values in [-100, 100): a stride coprime to the modulus visits them out of order.
            var values = (0..<(rows * width)).map { Float(($0 * 7_919) % 20_000) / 100 - 100 }
            // The largest value of each row sits in a different place: first, last, somewhere inside.
            for row in 0..<rows {
                let spot = [0, width - 1, width / 2][row]
                values[row * width + spot] = 150
            }
            let expected = (0..<rows).flatMap { row -> [Double] in
                let slice = values[(row * width)..<((row + 1) * width)].map(Double.init)
                let largest = slice.max() ?? 0
                let exact = slice.map { Foundation.exp($0 - largest) }
                let total = exact.reduce(0, +)
                return exact.map { $0 / total }
            }
            values.withUnsafeMutableBufferPointer {
                VectorKernels.softmax($0.baseAddress.unsafelyUnwrapped, rows: rows, count: width)
            }
            let worst = zip(values, expected).map { abs(Double($0) - $1) }.max() ?? 1
            #expect(worst < 1e-6, "width \(width): \(worst)")
        }
    }

    @Test("gelu agrees with the erff form within 2e-7 of |x| + |gelu(x)|")
    func geluMatchesErffForm() {
        let worstExcess = inputs(from: -12, to: 12, count: 40_000).map { (x: Float) -> Float in
            let expected: Float = 0.5 * x * (1 + erff(x * 0.707_106_781_186_547_5))
            let tolerance: Float = 2e-7 * (abs(x) + abs(expected))
            return abs(Self.gelu(x) - expected) - tolerance
        }.max() ?? 1
        #expect(worstExcess <= 0)
        #expect(Self.gelu(0) == 0)
    }

    /// GELU of one value through the encoder's kernel.
    private static func gelu(_ x: Float) -> Float {
        var value = x
        VectorKernels.gelu(&value, count: 1)
        return value
    }

    @Test("softmax of a row sums to one and keeps the order of its inputs")
    func softmaxNormalises() {
        var row: [Float] = (0..<19).map { Float($0) * 0.5 - 3 }
        row.withUnsafeMutableBufferPointer { VectorKernels.softmax($0.baseAddress.unsafelyUnwrapped, count: $0.count) }
        #expect(abs(row.reduce(0, +) - 1) < 1e-6)
        #expect(zip(row, row.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("layer norm gives zero mean and unit variance before scale and shift")
    func layerNormNormalises() {
        var row: [Float] = (0..<20).map { Float($0 * $0) }
        let scale = [Float](repeating: 2, count: 20), shift = [Float](repeating: 1, count: 20)
        row.withUnsafeMutableBufferPointer { row in
            VectorKernels.layerNorm(
                row.baseAddress.unsafelyUnwrapped, rows: 1, width: 20,
                scale: scale, shift: shift, epsilon: 1e-12
            )
        }
        let unshifted = row.map { ($0 - 1) / 2 }
        let mean = unshifted.reduce(0, +) / 20
        let variance = unshifted.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20
        #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-4)
    }
}
