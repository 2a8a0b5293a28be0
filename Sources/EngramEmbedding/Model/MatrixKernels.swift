import CEmbeddingKernels

/// Which code computes the encoder's linear layers.
public enum MatrixKernels: Sendable, Equatable {
    /// The fastest path this CPU supports: packed AVX-512 BF16, else packed AVX-512, else packed AVX2,
    /// else OpenBLAS.
    case automatic
    /// The packed-weight kernels with AVX-512 BF16: weights and layer inputs rounded to bfloat16,
    /// products summed in float; twice the multiply-adds per instruction of the float kernels (falls
    /// back to a lower path on a CPU without it).
    case avx512bf16
    /// The packed-weight kernels with AVX-512 (falls back to a lower path on a CPU without it).
    case avx512
    /// The packed-weight kernels with AVX2 and FMA (falls back to OpenBLAS on a CPU without them).
    case avx2
    /// OpenBLAS `sgemm` on the weights as stored.
    case blas

    /// The path that runs on this CPU when `self` is asked for.
    var resolved: MatrixKernels {
        let supported = engram_kernels_supported()
        switch self {
        case .automatic, .avx512bf16:
            if supported >= Int32(ENGRAM_KERNELS_AVX512_BF16) { return .avx512bf16 }
            if supported >= Int32(ENGRAM_KERNELS_AVX512) { return .avx512 }
            return supported >= Int32(ENGRAM_KERNELS_AVX2) ? .avx2 : .blas
        case .avx512:
            if supported >= Int32(ENGRAM_KERNELS_AVX512) { return .avx512 }
            return supported >= Int32(ENGRAM_KERNELS_AVX2) ? .avx2 : .blas
        case .avx2:
            return supported >= Int32(ENGRAM_KERNELS_AVX2) ? .avx2 : .blas
        case .blas:
            return .blas
        }
    }

    /// The C level of a packed path; nil for `.blas` and `.automatic`.
    var packedLevel: Int32? {
        switch self {
        case .avx512bf16: Int32(ENGRAM_KERNELS_AVX512_BF16)
        case .avx512: Int32(ENGRAM_KERNELS_AVX512)
        case .avx2: Int32(ENGRAM_KERNELS_AVX2)
        case .automatic, .blas: nil
        }
    }

    /// How this path stores packed weights (`.rowMajor` for BLAS).
    var weightLayout: LinearWeight.Layout {
        switch self {
        case .avx512bf16: .bfloat16Panels
        case .avx512, .avx2: .panels
        case .automatic, .blas: .rowMajor
        }
    }

    /// A short name for logs: `avx512-bf16`, `avx512`, `avx2` or `blas`.
    public var name: String {
        switch self {
        case .automatic: "automatic"
        case .avx512bf16: "avx512-bf16"
        case .avx512: "avx512"
        case .avx2: "avx2"
        case .blas: "blas"
        }
    }
}
