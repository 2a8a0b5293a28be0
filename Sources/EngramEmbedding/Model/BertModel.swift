/// A BERT encoder: token ids in, and per sequence either one unit-length mean-pooled vector (`embed`,
/// for the embedder) or the final hidden state of its first token, `[CLS]` (`classifierStates`, for a
/// cross-encoder's head).
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

    /// Loads the weights of `file`, each tensor named after `prefix` (see `BertWeights.init`), checking
    /// every tensor against `configuration`; the linear layers run on `kernels` as resolved for this CPU
    /// (weights read in place when their shapes cannot be packed), one product on up to `threads` cores.
    init(
        file: SafeTensorsFile, configuration: BertConfiguration, prefix: String = "", kernels: MatrixKernels = .automatic,
        threads: Int = 1
    ) throws(SafeTensorsError) {
        var kernels = kernels.resolved
        if !BertWeights.canPack(configuration) { kernels = .portable }
        let layout: LinearWeight.Layout = BertWeights.canPack(configuration) ? kernels.weightLayout : .rowMajor
        let count = BertWeights.storageCount(for: configuration, layout: layout)
        let storage = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
        do {
            weights = try BertWeights(
                file: file, configuration: configuration, prefix: prefix, layout: layout,
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
    /// `configuration.vocabularySize` and every sequence no longer than `configuration.maxPositions`;
    /// every token is of type 0.
    func embed(_ sequences: [[Int32]]) -> [[Float]] {
        let hidden = configuration.hiddenSize
        let lengths = sequences.map(\.count)
        return encode(sequences, tokenTypes: nil, lengths: lengths) { states in
            var offset = 0
            return lengths.map { length in
                defer { offset += length }
                return VectorKernels.normalisedMean(of: states + offset * hidden, rows: length, width: hidden)
            }
        }
    }

    /// The final hidden state of the first token (`[CLS]`) of each sequence, where `tokenTypes[s][t]`
    /// is the segment of token `t` of sequence `s` (as the sequences, and each below
    /// `configuration.tokenTypeCount`). Every sequence holds at least one token, every id is below
    /// `configuration.vocabularySize` and no sequence is longer than `configuration.maxPositions`.
    func classifierStates(_ sequences: [[Int32]], tokenTypes: [[Int32]]) -> [[Float]] {
        precondition(sequences.map(\.count) == tokenTypes.map(\.count), "one token type per token")
        let hidden = configuration.hiddenSize
        let lengths = sequences.map(\.count)
        return encode(sequences, tokenTypes: tokenTypes, lengths: lengths) { states in
            var offset = 0
            return lengths.map { length in
                defer { offset += length }
                return Array(UnsafeBufferPointer(start: states + offset * hidden, count: hidden))
            }
        }
    }

    /// Runs the encoder over a packed batch and hands `read` the final hidden states, `tokens × hidden`
    /// (sequence after sequence), which are valid only during the call. `tokenTypes` nil means every
    /// token is of type 0. An empty batch gives zero vectors without a pass.
    private func encode(
        _ sequences: [[Int32]], tokenTypes: [[Int32]]?, lengths: [Int], read: (UnsafePointer<Float>) -> [[Float]]
    ) -> [[Float]] {
        let tokens = lengths.reduce(0, +)
        guard tokens > 0 else { return sequences.map { _ in [Float](repeating: 0, count: configuration.hiddenSize) } }
        let workspace = Workspace(tokens: tokens, longest: lengths.max() ?? 0, configuration: configuration)
        parallel.enterPass()
        defer { parallel.leavePass() }
        writeEmbeddings(of: sequences, tokenTypes: tokenTypes, into: workspace.hidden)
        for layer in weights.layers {
            run(layer, lengths: lengths, tokens: tokens, workspace: workspace)
        }
        return read(workspace.hidden)
    }

    /// Word + position + token-type embeddings of every token (type 0 throughout when `tokenTypes` is
    /// nil), then LayerNorm.
    private func writeEmbeddings(of sequences: [[Int32]], tokenTypes: [[Int32]]?, into hidden: UnsafeMutablePointer<Float>) {
        let width = configuration.hiddenSize
        var row = hidden
        for (index, sequence) in sequences.enumerated() {
            let types = tokenTypes?[index]
            for (position, id) in sequence.enumerated() {
                let type = types.map { Int($0[position]) } ?? 0
                row.update(from: weights.wordEmbeddings + Int(id) * width, count: width)
                VectorKernels.add(weights.positionEmbeddings + position * width, into: row, count: width)
                VectorKernels.add(weights.tokenTypeEmbeddings + type * width, into: row, count: width)
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
