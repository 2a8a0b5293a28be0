/// A BERT encoder with mean pooling: token ids in, one unit-length vector per sequence out.
///
/// `@unchecked Sendable`: after `init` nothing in it changes. The weights are read-only memory (the
/// mapped file and the stacked projections), owned here and freed in `deinit`; every forward pass
/// writes only to its own `Workspace`, so any number of threads may call `embed` at once.
final class BertModel: @unchecked Sendable {
    /// The dimensions of the encoder.
    let configuration: BertConfiguration
    /// The code path of the linear layers (never `.automatic`).
    let kernels: MatrixKernels
    /// Helpers that share large products; `threads - 1` of them.
    private let parallel: ParallelPanels
    private let file: SafeTensorsFile
    private let storage: UnsafeMutableRawPointer
    private let weights: BertWeights

    /// Loads the weights of `file`, checking every tensor against `configuration`; the linear layers
    /// run on `kernels` as resolved for this CPU (weights read in place when their shapes cannot be packed), one
    /// product on up to `threads` cores.
    init(
        file: SafeTensorsFile, configuration: BertConfiguration, kernels: MatrixKernels = .automatic, threads: Int = 1
    ) throws(SafeTensorsError) {
        var kernels = kernels.resolved
        if !BertWeights.canPack(configuration) { kernels = .portable }
        let layout: LinearWeight.Layout = BertWeights.canPack(configuration) ? kernels.weightLayout : .rowMajor
        let count = BertWeights.storageCount(for: configuration, layout: layout)
        let storage = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
        do {
            weights = try BertWeights(
                file: file, configuration: configuration, layout: layout,
                storage: storage.bindMemory(to: Float.self, capacity: count)
            )
        } catch {
            storage.deallocate()
            throw error
        }
        self.storage = storage
        self.file = file
        self.configuration = configuration
        self.kernels = kernels
        parallel = ParallelPanels(helpers: layout == .rowMajor ? 0 : threads - 1)
    }

    deinit {
        storage.deallocate()
    }

    /// The mean-pooled, L2-normalised embedding of each sequence of token ids. Every id must be below
    /// `configuration.vocabularySize` and every sequence no longer than `configuration.maxPositions`.
    func embed(_ sequences: [[Int32]]) -> [[Float]] {
        let lengths = sequences.map(\.count)
        let tokens = lengths.reduce(0, +)
        guard tokens > 0 else { return sequences.map { _ in [Float](repeating: 0, count: configuration.hiddenSize) } }
        let workspace = Workspace(tokens: tokens, longest: lengths.max() ?? 0, configuration: configuration)
        parallel.enterPass()
        defer { parallel.leavePass() }
        writeEmbeddings(of: sequences, into: workspace.hidden)
        for layer in weights.layers {
            run(layer, lengths: lengths, tokens: tokens, workspace: workspace)
        }
        let hidden = configuration.hiddenSize
        var offset = 0
        return lengths.map { length in
            defer { offset += length }
            return VectorKernels.normalisedMean(of: workspace.hidden + offset * hidden, rows: length, width: hidden)
        }
    }

    /// Word + position + token-type embeddings of every token, then LayerNorm.
    private func writeEmbeddings(of sequences: [[Int32]], into hidden: UnsafeMutablePointer<Float>) {
        let width = configuration.hiddenSize
        var row = hidden
        for sequence in sequences {
            for (position, id) in sequence.enumerated() {
                row.update(from: weights.wordEmbeddings + Int(id) * width, count: width)
                VectorKernels.add(weights.positionEmbeddings + position * width, into: row, count: width)
                VectorKernels.add(weights.tokenTypeEmbeddings, into: row, count: width)
                row += width
            }
        }
        let tokens = (row - hidden) / width
        VectorKernels.layerNorm(
            hidden, rows: tokens, width: width,
            scale: weights.embeddingNormScale, shift: weights.embeddingNormShift,
            epsilon: configuration.layerNormEpsilon
        )
    }

    /// One transformer layer over all tokens of the batch: self-attention, projection, residual and
    /// LayerNorm; feed-forward with GELU, residual and LayerNorm.
    private func run(_ layer: BertWeights.Layer, lengths: [Int], tokens: Int, workspace: Workspace) {
        let hidden = configuration.hiddenSize
        let intermediate = configuration.intermediateSize
        let epsilon = configuration.layerNormEpsilon

        VectorKernels.fillRows(workspace.queryKeyValue, rows: tokens, with: layer.queryKeyValueBias, width: 3 * hidden)
        layer.queryKeyValue.accumulate(workspace.hidden, rows: tokens, into: workspace.queryKeyValue, kernels: kernels, parallel: parallel, scratch: workspace.rounded)
        attend(lengths: lengths, workspace: workspace)

        VectorKernels.addToRows(workspace.hidden, rows: tokens, vector: layer.attentionOutputBias, width: hidden)
        layer.attentionOutput.accumulate(workspace.context, rows: tokens, into: workspace.hidden, kernels: kernels, parallel: parallel, scratch: workspace.rounded)
        VectorKernels.layerNorm(
            workspace.hidden, rows: tokens, width: hidden,
            scale: layer.attentionNormScale, shift: layer.attentionNormShift, epsilon: epsilon
        )

        VectorKernels.fillRows(workspace.intermediate, rows: tokens, with: layer.intermediateBias, width: intermediate)
        layer.intermediate.accumulate(workspace.hidden, rows: tokens, into: workspace.intermediate, kernels: kernels, parallel: parallel, scratch: workspace.rounded)
        VectorKernels.gelu(workspace.intermediate, count: tokens * intermediate)

        VectorKernels.addToRows(workspace.hidden, rows: tokens, vector: layer.outputBias, width: hidden)
        layer.output.accumulate(workspace.intermediate, rows: tokens, into: workspace.hidden, kernels: kernels, parallel: parallel, scratch: workspace.rounded)
        VectorKernels.layerNorm(
            workspace.hidden, rows: tokens, width: hidden,
            scale: layer.outputNormScale, shift: layer.outputNormShift, epsilon: epsilon
        )
    }
}
