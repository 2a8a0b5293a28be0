import Dispatch
@testable import EngramEmbedding
import Foundation
import Synchronization
import Testing

@Suite("Packed matrix kernels")
struct MatrixKernelsTests {
    /// The packed paths this CPU runs (each resolves to itself only when supported).
    static let packedPaths: [MatrixKernels] = [.amx, .avx512bf16, .avx512, .avx2, .neonBF16, .neon].filter { $0.resolved == $0 }

    /// A deterministic pseudo-random matrix in [-1, 1).
    private static func matrix(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
    }

    /// `value` rounded to bfloat16 (to nearest, ties to even), as a float.
    private static func bfloat16(_ value: Float) -> Float {
        let bits = value.bitPattern
        return Float(bitPattern: (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000)
    }

    @Test("a packed product is the exact product to float rounding, for every row count and odd widths", arguments: packedPaths)
    func packedIsExact(_ kernels: MatrixKernels) {
        let pool = ParallelPanels(helpers: 1)
        // The BF16 kernel multiplies bfloat16 roundings of both factors; the reference does too.
        let rounds = kernels.weightLayout == .bfloat16Panels
        func factor(_ value: Float) -> Float { rounds ? Self.bfloat16(value) : value }
        for (outputs, inputs) in [(32, 1), (64, 37), (96, 384), (128, 1536)] {
            let weight = Self.matrix(outputs * inputs, seed: UInt64(outputs * 31 + inputs))
            let floats = LinearWeight.storageFloats(outputs: outputs, inputs: inputs, layout: kernels.weightLayout)
            let packedStorage = UnsafeMutableRawPointer.allocate(byteCount: floats * 4, alignment: 64)
            defer { packedStorage.deallocate() }
            weight.withUnsafeBufferPointer { source in
                let packed = LinearWeight(
                    packing: source.baseAddress!, outputs: outputs, inputs: inputs, layout: kernels.weightLayout, into: packedStorage)
                // Up to 300 rows where the product is small: AMX blocks rows by 16, 32 and 256.
                for rows in [1, 2, 5, 6, 7, 8, 9, 13, 17, 33, 45, 64] + (outputs * inputs <= 96 * 384 ? [300] : []) {
                    let input = Self.matrix(rows * inputs, seed: UInt64(rows))
                    let bias = Self.matrix(rows * outputs, seed: 99)
                    var actual = bias
                    let scratch = UnsafeMutablePointer<UInt16>.allocate(capacity: rows * LinearWeight.bfloat16RowWidth(inputs))
                    defer { scratch.deallocate() }
                    input.withUnsafeBufferPointer { x in
                        packed.accumulate(x.baseAddress!, rows: rows, into: &actual, kernels: kernels, parallel: pool, scratch: scratch)
                    }
                    // Each result against the product in Double, allowing float rounding of the sum
                    // of the magnitudes of its terms.
                    var worst = 0.0
                    for row in 0..<rows {
                        for output in 0..<outputs {
                            var exact = Double(bias[row * outputs + output])
                            var magnitude = abs(exact)
                            for i in 0..<inputs {
                                let term = Double(factor(input[row * inputs + i])) * Double(factor(weight[output * inputs + i]))
                                exact += term
                                magnitude += abs(term)
                            }
                            let error = abs(Double(actual[row * outputs + output]) - exact) / max(magnitude, 1)
                            worst = max(worst, error)
                        }
                    }
                    #expect(worst < 1e-6, "\(kernels.name) \(rows)×\(inputs) · \(outputs): \(worst)")
                }
            }
        }
    }

    @Test("shared products run every chunk exactly once, also with several callers at once")
    func everyChunkOnce() {
        let pool = ParallelPanels(helpers: 3)
        let counts = Mutex<[Int]>([Int](repeating: 0, count: 4 * 500))
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for round in 0..<50 {
                pool.run(chunks: 10) { chunk in
                    counts.withLock { $0[caller * 500 + round * 10 + chunk] += 1 }
                }
            }
        }
        #expect(counts.withLock { $0 }.allSatisfy { $0 == 1 })
    }

    @Test("every code path matches the reference with cosine ≥ 0.9999; one product over 2 threads changes no bit")
    func everyPathMatchesReference() throws {
        let paths = Self.packedPaths + [.portable]
        let texts = ReferenceFixture.cases
        #expect(!texts.isEmpty)
        for kernels in paths {
            let single = try LocalEmbedder(configuration: .init(modelDirectory: ReferenceFixture.modelDirectory, kernels: kernels))
            #expect(single.kernels == kernels)
            let shared: LocalEmbedder? = try LocalEmbedder(configuration: .init(
                modelDirectory: ReferenceFixture.modelDirectory, threads: 2, kernels: kernels
            ))
            for reference in texts {
                let vector = single.embed(reference.text)
                #expect(cosine(vector, reference.embedding) >= 0.9999, "\(kernels.name): \(reference.testDescription)")
                if let shared {
                    #expect(shared.embed(reference.text) == vector, "\(kernels.name): \(reference.testDescription)")
                }
            }
        }
    }
}
