import CEmbeddingKernels

/// The weight of one linear layer, `outputs × inputs`, in the layout its kernel reads: row-major as
/// stored (for shapes that cannot be packed), packed into panels of 32 outputs (for the float kernels), or packed into
/// panels of bfloat16 input pairs (for the AVX-512 BF16 and NEON BF16 kernels).
struct LinearWeight {
    /// How the weights are laid out.
    enum Layout {
        case rowMajor
        case panels
        case bfloat16Panels
    }

    let storage: UnsafeRawPointer
    let outputs: Int
    let inputs: Int
    let layout: Layout

    /// Panels of 32 outputs; only meaningful when packed.
    var panelCount: Int { outputs / Int(ENGRAM_PANEL_WIDTH) }

    /// Whether a weight with this many outputs can be packed.
    static func canPack(outputs: Int) -> Bool {
        outputs % Int(ENGRAM_PANEL_WIDTH) == 0
    }

    /// Floats of storage a weight of this shape takes in `layout` (bfloat16 pairs count as one float).
    static func storageFloats(outputs: Int, inputs: Int, layout: Layout) -> Int {
        layout == .bfloat16Panels ? outputs * (inputs + 1) / 2 : outputs * inputs
    }

    /// Values per row of an input rounded to bfloat16 (`inputs` rounded up to even).
    static func bfloat16RowWidth(_ inputs: Int) -> Int { (inputs + 1) & ~1 }

    /// A weight read in place, row-major.
    init(rowMajor matrix: UnsafePointer<Float>, outputs: Int, inputs: Int) {
        storage = UnsafeRawPointer(matrix)
        self.outputs = outputs
        self.inputs = inputs
        layout = .rowMajor
    }

    /// Packs the row-major `source` into `destination` (64-byte aligned, `storageFloats` floats) in
    /// `layout`, which must be a packed one.
    init(packing source: UnsafePointer<Float>, outputs: Int, inputs: Int, layout: Layout, into destination: UnsafeMutableRawPointer) {
        precondition(Self.canPack(outputs: outputs), "a packed weight needs a multiple of 32 outputs")
        switch layout {
        case .panels:
            engram_pack_panels(source, Int32(outputs), Int32(inputs), destination.assumingMemoryBound(to: Float.self))
        case .bfloat16Panels:
            engram_pack_panels_bf16(source, Int32(outputs), Int32(inputs), destination.assumingMemoryBound(to: UInt16.self))
        case .rowMajor:
            preconditionFailure("packing needs a packed layout")
        }
        storage = UnsafeRawPointer(destination)
        self.outputs = outputs
        self.inputs = inputs
        self.layout = layout
    }
}

extension LinearWeight {
    /// Multiply-adds of a product's share on one thread: a million (10 to 20 µs on the vector kernels).
    static let minimumChunk = 1_000_000
    /// AMX does about ten times as many per second, so a share needs as many more to repay the hand-off.
    static let minimumAMXChunk = 8_000_000

    /// `output += input · weightᵀ` over `rows` input rows (row-major, `inputs` wide; the output
    /// `outputs` wide and already holding the bias and any residual). A packed weight runs the
    /// kernel of `kernels` and shares its panels with `pool`'s idle helpers when the product is large enough
    /// to repay the hand-off. A bfloat16 weight first rounds the input into `scratch`, which holds
    /// `rows · bfloat16RowWidth(inputs)` values.
    func accumulate(
        _ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
        kernels: MatrixKernels, parallel pool: ParallelPanels, scratch: UnsafeMutablePointer<UInt16>
    ) {
        guard layout != .rowMajor, let level = kernels.packedLevel else {
            engram_linear_row_major(Int32(rows), Int32(inputs), Int32(outputs), input, storage.assumingMemoryBound(to: Float.self), output)
            return
        }
        let panels = panelCount
        let inputs = inputs
        let outputs = outputs
        let product: (Int, Int) -> Void
        var minimumChunk = Self.minimumChunk
        switch layout {
        case .bfloat16Panels:
            precondition(
                level == Int32(ENGRAM_KERNELS_AVX512_BF16) || level == Int32(ENGRAM_KERNELS_NEON_BF16),
                "a bfloat16 weight needs the BF16 kernels")
            engram_round_rows_bf16(Int32(rows), Int32(inputs), input, inputs, scratch)
            let width = Self.bfloat16RowWidth(inputs)
            let matrix = storage.assumingMemoryBound(to: UInt16.self)
            let rounded = UnsafePointer(scratch)
            if kernels == .amx, inputs % Int(ENGRAM_AMX_INPUT_STEP) == 0 {
                product = { first, end in
                    engram_linear_panels_amx(Int32(rows), Int32(inputs), rounded, width, matrix, Int32(first), Int32(end), output, outputs)
                }
                minimumChunk = Self.minimumAMXChunk
            } else {
                product = { first, end in
                    engram_linear_panels_bf16(Int32(rows), Int32(inputs), rounded, width, matrix, Int32(first), Int32(end), output, outputs)
                }
            }
        default:
            let matrix = storage.assumingMemoryBound(to: Float.self)
            product = { first, end in
                engram_linear_panels(level, Int32(rows), Int32(inputs), input, inputs, matrix, Int32(first), Int32(end), output, outputs)
            }
        }
        let multiplyAdds = rows * outputs * inputs
        let chunks = min(panels, max(1, multiplyAdds / minimumChunk), 8 * (pool.helperCount + 1))
        if chunks <= 1 || pool.helperCount == 0 {
            product(0, panels)
            return
        }
        pool.run(chunks: chunks) { chunk in
            product(chunk * panels / chunks, (chunk + 1) * panels / chunks)
        }
    }
}
