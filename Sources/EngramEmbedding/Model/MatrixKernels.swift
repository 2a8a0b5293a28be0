import CEmbeddingKernels

/// Which code computes the encoder's linear layers.
public enum MatrixKernels: Sendable, Equatable, CaseIterable {
    /// The fastest path on this CPU: AMX where it is usable and measures faster than the others, else
    /// packed AVX-512 BF16 where it measures faster than packed AVX-512 (`engram_kernels_fastest`), else
    /// packed AVX-512, else packed AVX2; on arm64 packed NEON BF16 where it measures faster than packed
    /// NEON, else packed NEON; else the portable kernels.
    case automatic
    /// Intel AMX tiles on the bfloat16 panels of `.avx512bf16` (TDPBF16PS: 16 × 16 × 32 multiply-adds per
    /// instruction), with the AVX-512 BF16 kernel for products whose inputs are not a multiple of 32
    /// (falls back to `.avx512bf16`'s path on a CPU or system without AMX).
    case amx
    /// The packed-weight kernels with AVX-512 BF16: weights and layer inputs rounded to bfloat16,
    /// products summed in float; twice the multiply-adds per instruction of the float kernels (falls
    /// back to a lower path on a CPU without it).
    case avx512bf16
    /// The packed-weight kernels with AVX-512 (falls back to a lower path on a CPU without it).
    case avx512
    /// The packed-weight kernels with AVX2 and FMA (falls back to the portable kernels on a CPU without them).
    case avx2
    /// The packed-weight kernels with arm64 NEON BF16 (BFDOT) on the bfloat16 panels of `.avx512bf16`
    /// (falls back to `.neon` on an arm64 CPU without BF16, to the portable kernels on other CPUs).
    case neonBF16
    /// The packed-weight kernels with arm64 NEON (the portable kernels on other CPUs).
    case neon
    /// The packed-weight kernels as plain C loops the compiler vectorises for the target (SSE2 on a
    /// baseline x86-64, NEON on arm64): what runs where no instruction-set path fits.
    case portable

    /// The path that runs on this CPU when `self` is asked for. The arm64 levels (NEON, NEON BF16) are
    /// numerically above the x86 ones, so they are told apart before any `>=` on an x86 level; an x86
    /// path asked for on arm64, or an arm64 one on x86, falls back to the portable kernels.
    public var resolved: MatrixKernels {
        let supported = engram_kernels_supported()
        let arm64 = supported >= Int32(ENGRAM_KERNELS_NEON)
        switch self {
        case .automatic:
            if engram_amx_fastest() != 0 { return .amx }
            let fastest = engram_kernels_fastest(nil, nil, nil)
            if fastest == Int32(ENGRAM_KERNELS_NEON_BF16) { return .neonBF16 }
            if fastest == Int32(ENGRAM_KERNELS_NEON) { return .neon }
            if fastest >= Int32(ENGRAM_KERNELS_AVX512_BF16) { return .avx512bf16 }
            if fastest >= Int32(ENGRAM_KERNELS_AVX512) { return .avx512 }
            return fastest >= Int32(ENGRAM_KERNELS_AVX2) ? .avx2 : .portable
        case .amx:
            return engram_amx_supported() != 0 ? .amx : MatrixKernels.avx512bf16.resolved
        case .avx512bf16:
            if arm64 { return .portable }
            if supported >= Int32(ENGRAM_KERNELS_AVX512_BF16) { return .avx512bf16 }
            if supported >= Int32(ENGRAM_KERNELS_AVX512) { return .avx512 }
            return supported >= Int32(ENGRAM_KERNELS_AVX2) ? .avx2 : .portable
        case .avx512:
            if arm64 { return .portable }
            if supported >= Int32(ENGRAM_KERNELS_AVX512) { return .avx512 }
            return supported >= Int32(ENGRAM_KERNELS_AVX2) ? .avx2 : .portable
        case .avx2:
            if arm64 { return .portable }
            return supported >= Int32(ENGRAM_KERNELS_AVX2) ? .avx2 : .portable
        case .neonBF16:
            if supported == Int32(ENGRAM_KERNELS_NEON_BF16) { return .neonBF16 }
            return supported == Int32(ENGRAM_KERNELS_NEON) ? .neon : .portable
        case .neon:
            return arm64 ? .neon : .portable
        case .portable:
            return .portable
        }
    }

    /// The C level of a path (`ENGRAM_KERNELS_NONE` for the portable one); nil for `.automatic`.
    var packedLevel: Int32? {
        switch self {
        case .amx, .avx512bf16: Int32(ENGRAM_KERNELS_AVX512_BF16)
        case .avx512: Int32(ENGRAM_KERNELS_AVX512)
        case .avx2: Int32(ENGRAM_KERNELS_AVX2)
        case .neonBF16: Int32(ENGRAM_KERNELS_NEON_BF16)
        case .neon: Int32(ENGRAM_KERNELS_NEON)
        case .portable: Int32(ENGRAM_KERNELS_NONE)
        case .automatic: nil
        }
    }

    /// How this path stores packed weights.
    var weightLayout: LinearWeight.Layout {
        switch self {
        case .amx, .avx512bf16, .neonBF16: .bfloat16Panels
        case .avx512, .avx2, .neon, .portable, .automatic: .panels
        }
    }

    /// Why `.automatic` runs what it runs on this CPU, for the start-up log.
    public static var automaticChoice: String {
        var floatRate = 0.0
        var bf16Rate = 0.0
        var amxRate = 0.0
        let fastest = engram_kernels_fastest(&floatRate, &bf16Rate, &amxRate)
        let supported = engram_kernels_supported()
        if supported == Int32(ENGRAM_KERNELS_NEON_BF16) {
            let rates = String(format: "neon %.0f, neon-bf16 %.0f billion multiply-adds/s measured at start", floatRate, bf16Rate)
            return fastest == Int32(ENGRAM_KERNELS_NEON_BF16)
                ? "neon-bf16 measured faster than neon (\(rates))"
                : "neon measured faster than neon-bf16 on this CPU (\(rates))"
        }
        if supported == Int32(ENGRAM_KERNELS_NEON) { return "NEON, the widest instructions this CPU has (no BF16)" }
        if amxRate > 0 {
            let rates = String(
                format: "amx-bf16 %.0f, avx512-bf16 %.0f, avx512 %.0f billion multiply-adds/s measured at start",
                amxRate, bf16Rate, floatRate)
            let other = fastest >= Int32(ENGRAM_KERNELS_AVX512_BF16) ? "avx512-bf16" : "avx512"
            return engram_amx_fastest() != 0
                ? "amx-bf16 measured faster than avx512-bf16 and avx512 (\(rates))"
                : "\(other) measured faster than amx-bf16 on this CPU (\(rates))"
        }
        if supported >= Int32(ENGRAM_KERNELS_AVX512_BF16) {
            let rates = String(format: "avx512 %.0f, avx512-bf16 %.0f billion multiply-adds/s measured at start", floatRate, bf16Rate)
            return fastest >= Int32(ENGRAM_KERNELS_AVX512_BF16)
                ? "avx512-bf16 measured faster than avx512 (\(rates))"
                : "avx512 measured faster than avx512-bf16 on this CPU (\(rates))"
        }
        return MatrixKernels.automatic.resolved == .portable
            ? "no AVX2 on this CPU: the portable kernels, vectorised for its baseline" : "the widest instructions this CPU has"
    }

    /// The path named `name` (as `name` spells it, any case), nil for an unknown name.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = match
    }

    /// A short name for logs and `--embed-kernels`: `amx-bf16`, `avx512-bf16`, `avx512`, `avx2`, `neon-bf16`, `neon` or `portable`.
    public var name: String {
        switch self {
        case .automatic: "automatic"
        case .amx: "amx-bf16"
        case .avx512bf16: "avx512-bf16"
        case .avx512: "avx512"
        case .avx2: "avx2"
        case .neonBF16: "neon-bf16"
        case .neon: "neon"
        case .portable: "portable"
        }
    }
}
