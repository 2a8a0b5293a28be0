@testable import EngramEmbedding
import Foundation
import Testing

@Suite("Activation math")
struct ScalarMathTests {
    /// `count` evenly spaced inputs from `low` to `high`.
    private func inputs(from low: Float, to high: Float, count: Int) -> [Float] {
        (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    @Test("exponential agrees with expf to a few ulp, and saturates instead of overflowing")
    func exponentialMatchesExpf() {
        let worst = inputs(from: -87, to: 88, count: 40_000).map { x in
            abs(ScalarMath.exponential(x) - expf(x)) / expf(x)
        }.max() ?? 1
        #expect(worst < 5e-7)
        let probes: [Float] = [-1000, -200, -88, 0, 89, 200, 1000]
        let extremes = probes.map { ScalarMath.exponential($0) }
        #expect(extremes[0] >= 0 && extremes[0] < 1e-37 && extremes[3] == 1)
        #expect(extremes.allSatisfy { $0.isFinite })
    }

    @Test("gelu agrees with the erff form within 2e-7 of |x| + |gelu(x)|")
    func geluMatchesErffForm() {
        let worstExcess = inputs(from: -12, to: 12, count: 40_000).map { (x: Float) -> Float in
            let expected: Float = 0.5 * x * (1 + erff(x * 0.707_106_781_186_547_5))
            let tolerance: Float = 2e-7 * (abs(x) + abs(expected))
            return abs(ScalarMath.gelu(x) - expected) - tolerance
        }.max() ?? 1
        #expect(worstExcess <= 0)
        #expect(ScalarMath.gelu(0) == 0)
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
