import CEmbeddingKernels

/// The weight of one linear layer, `outputs × inputs`, in the layout its kernel reads: row-major as
/// stored (for OpenBLAS) or packed into panels of 32 outputs (for the packed kernels).
struct LinearWeight {
    let matrix: UnsafePointer<Float>
    let outputs: Int
    let inputs: Int
    /// True when `matrix` is packed into panels.
    let isPacked: Bool

    /// Panels of 32 outputs; only meaningful when packed.
    var panelCount: Int { outputs / Int(ENGRAM_PANEL_WIDTH) }

    /// Whether a weight with this many outputs can be packed.
    static func canPack(outputs: Int) -> Bool {
        outputs % Int(ENGRAM_PANEL_WIDTH) == 0
    }

    /// A weight read in place, row-major.
    init(rowMajor matrix: UnsafePointer<Float>, outputs: Int, inputs: Int) {
        self.matrix = matrix
        self.outputs = outputs
        self.inputs = inputs
        isPacked = false
    }

    /// Packs the row-major `source` into `destination` (`outputs · inputs` floats, 64-byte aligned).
    init(packing source: UnsafePointer<Float>, outputs: Int, inputs: Int, into destination: UnsafeMutablePointer<Float>) {
        precondition(Self.canPack(outputs: outputs), "a packed weight needs a multiple of 32 outputs")
        engram_pack_panels(source, Int32(outputs), Int32(inputs), destination)
        matrix = UnsafePointer(destination)
        self.outputs = outputs
        self.inputs = inputs
        isPacked = true
    }
}

extension LinearWeight {
    /// `output += input · weightᵀ` over `rows` input rows (row-major, `inputs` wide; the output
    /// `outputs` wide and already holding the bias and any residual). A packed weight runs the
    /// kernel of `kernels` and shares its panels with `pool`'s idle helpers when the product is large enough
    /// to repay the hand-off.
    func accumulate(
        _ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
        kernels: MatrixKernels, parallel pool: ParallelPanels
    ) {
        guard isPacked, let level = kernels.packedLevel else {
            GEMM.accumulateLinear(input: input, rows: rows, inputs: inputs, weight: matrix, outputs: outputs, output: output)
            return
        }
        let panels = panelCount
        // About 20 µs of work or more per chunk, at most eight chunks per core.
        let multiplyAdds = rows * outputs * inputs
        let chunks = min(panels, max(1, multiplyAdds / 1_000_000), 8 * (pool.helperCount + 1))
        if chunks <= 1 || pool.helperCount == 0 {
            engram_linear_panels(level, Int32(rows), Int32(inputs), input, inputs, matrix, 0, Int32(panels), output, outputs)
            return
        }
        let matrix = matrix
        let inputs = inputs
        let outputs = outputs
        pool.run(chunks: chunks) { chunk in
            let first = chunk * panels / chunks
            let end = (chunk + 1) * panels / chunks
            engram_linear_panels(level, Int32(rows), Int32(inputs), input, inputs, matrix, Int32(first), Int32(end), output, outputs)
        }
    }
}
