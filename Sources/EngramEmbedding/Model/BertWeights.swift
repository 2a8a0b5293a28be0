/// The tensors of a BERT encoder, as pointers into a mapped safetensors file, except the linear
/// layers' weights when they are packed for the packed kernels (copied into owned storage, panel by
/// panel) and the query, key and value projections of each layer, which are always copied side by side
/// into owned storage so a layer computes all three with a single product.
///
/// The pointers are valid while `file` and `storage` live; `BertModel` owns all three together.
struct BertWeights {
    /// One transformer layer.
    struct Layer {
        /// Query, key and value weights stacked: `3·hidden × hidden`.
        let queryKeyValue: LinearWeight
        /// Query, key and value biases stacked: `3·hidden`.
        let queryKeyValueBias: UnsafePointer<Float>
        /// Attention output projection, `hidden × hidden`, and its bias.
        let attentionOutput: LinearWeight
        let attentionOutputBias: UnsafePointer<Float>
        /// LayerNorm after the attention block.
        let attentionNormScale: UnsafePointer<Float>
        let attentionNormShift: UnsafePointer<Float>
        /// Feed-forward expansion, `intermediate × hidden`, and its bias.
        let intermediate: LinearWeight
        let intermediateBias: UnsafePointer<Float>
        /// Feed-forward contraction, `hidden × intermediate`, and its bias.
        let output: LinearWeight
        let outputBias: UnsafePointer<Float>
        /// LayerNorm after the feed-forward block.
        let outputNormScale: UnsafePointer<Float>
        let outputNormShift: UnsafePointer<Float>
    }

    /// Word embeddings, `vocabulary × hidden`.
    let wordEmbeddings: UnsafePointer<Float>
    /// Position embeddings, `maxPositions × hidden`.
    let positionEmbeddings: UnsafePointer<Float>
    /// Token-type (segment) embeddings, `tokenTypes × hidden`.
    let tokenTypeEmbeddings: UnsafePointer<Float>
    /// LayerNorm over the summed embeddings.
    let embeddingNormScale: UnsafePointer<Float>
    let embeddingNormShift: UnsafePointer<Float>
    /// The transformer layers, in order.
    let layers: [Layer]

    /// Regions of owned storage start on 64-byte boundaries, as the packed kernels' loads need.
    private static func aligned(_ count: Int) -> Int { (count + 15) / 16 * 16 }

    /// Whether the linear layers of `configuration` can be packed (every output count a multiple of 32).
    static func canPack(_ configuration: BertConfiguration) -> Bool {
        LinearWeight.canPack(outputs: configuration.hiddenSize) && LinearWeight.canPack(outputs: configuration.intermediateSize)
    }

    /// The number of floats `storage` must hold for `configuration` with linear weights in `layout`
    /// (row-major weights are read in place from the file; only the stacked projections are copied).
    static func storageCount(for configuration: BertConfiguration, layout: LinearWeight.Layout) -> Int {
        let hidden = configuration.hiddenSize
        let intermediate = configuration.intermediateSize
        func weight(_ outputs: Int, _ inputs: Int) -> Int {
            aligned(LinearWeight.storageFloats(outputs: outputs, inputs: inputs, layout: layout))
        }
        var perLayer = weight(3 * hidden, hidden) + aligned(3 * hidden)
        if layout != .rowMajor {
            perLayer += weight(hidden, hidden) + weight(intermediate, hidden) + weight(hidden, intermediate)
        }
        return configuration.layerCount * perLayer
    }

    /// Looks up every tensor of a BERT checkpoint in `file` (names as Hugging Face's `BertModel`
    /// writes them, each after `prefix`: empty for a bare encoder, `bert.` for one inside a task model
    /// such as `BertForSequenceClassification`), checking each shape against `configuration`, and fills
    /// `storage` (64-byte aligned, `storageCount(for:layout:)` floats) with the stacked query, key and
    /// value projections and, when `layout` is a packed one, every linear weight packed.
    init(
        file: SafeTensorsFile, configuration: BertConfiguration, prefix: String, layout: LinearWeight.Layout,
        storage: UnsafeMutablePointer<Float>
    ) throws(SafeTensorsError) {
        let hidden = configuration.hiddenSize
        let intermediate = configuration.intermediateSize
        func tensor(_ name: String, _ shape: Int...) throws(SafeTensorsError) -> UnsafePointer<Float> {
            try file.floatPointer(prefix + name, shape: shape)
        }
        var cursor = storage
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += Self.aligned(count) }
            return cursor
        }
        let packed = layout != .rowMajor
        /// The weight at `source` as the kernels read it; once packed, the source pages of the file
        /// are released (only the packed copy is read from then on).
        func linear(_ source: UnsafePointer<Float>, outputs: Int, inputs: Int, discarding: Bool = true) -> LinearWeight {
            guard packed else { return LinearWeight(rowMajor: source, outputs: outputs, inputs: inputs) }
            let weight = LinearWeight(
                packing: source, outputs: outputs, inputs: inputs, layout: layout,
                into: take(LinearWeight.storageFloats(outputs: outputs, inputs: inputs, layout: layout)))
            if discarding { file.discardPages(source, count: outputs * inputs) }
            return weight
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", configuration.vocabularySize, hidden)
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", configuration.maxPositions, hidden)
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", configuration.tokenTypeCount, hidden)
        embeddingNormScale = try tensor("embeddings.LayerNorm.weight", hidden)
        embeddingNormShift = try tensor("embeddings.LayerNorm.bias", hidden)

        var layers: [Layer] = []
        for index in 0..<configuration.layerCount {
            let layer = "encoder.layer.\(index)."
            // The three projections stacked row-major: kept as they are when they cannot be packed, else
            // packed from a scratch copy.
            let stackedCount = 3 * hidden * hidden
            let stackedWeight = packed ? UnsafeMutablePointer<Float>.allocate(capacity: stackedCount) : take(stackedCount)
            defer { if packed { stackedWeight.deallocate() } }
            let stackedBias = take(3 * hidden)
            for (slot, name) in ["query", "key", "value"].enumerated() {
                let weight = try tensor(layer + "attention.self.\(name).weight", hidden, hidden)
                let bias = try tensor(layer + "attention.self.\(name).bias", hidden)
                (stackedWeight + slot * hidden * hidden).initialize(from: weight, count: hidden * hidden)
                (stackedBias + slot * hidden).initialize(from: bias, count: hidden)
                file.discardPages(weight, count: hidden * hidden)
            }
            let queryKeyValue = packed
                ? linear(stackedWeight, outputs: 3 * hidden, inputs: hidden, discarding: false)
                : LinearWeight(rowMajor: stackedWeight, outputs: 3 * hidden, inputs: hidden)
            layers.append(Layer(
                queryKeyValue: queryKeyValue,
                queryKeyValueBias: UnsafePointer(stackedBias),
                attentionOutput: linear(try tensor(layer + "attention.output.dense.weight", hidden, hidden), outputs: hidden, inputs: hidden),
                attentionOutputBias: try tensor(layer + "attention.output.dense.bias", hidden),
                attentionNormScale: try tensor(layer + "attention.output.LayerNorm.weight", hidden),
                attentionNormShift: try tensor(layer + "attention.output.LayerNorm.bias", hidden),
                intermediate: linear(try tensor(layer + "intermediate.dense.weight", intermediate, hidden), outputs: intermediate, inputs: hidden),
                intermediateBias: try tensor(layer + "intermediate.dense.bias", intermediate),
                output: linear(try tensor(layer + "output.dense.weight", hidden, intermediate), outputs: hidden, inputs: intermediate),
                outputBias: try tensor(layer + "output.dense.bias", hidden),
                outputNormScale: try tensor(layer + "output.LayerNorm.weight", hidden),
                outputNormShift: try tensor(layer + "output.LayerNorm.bias", hidden)
            ))
        }
        self.layers = layers
    }
}
