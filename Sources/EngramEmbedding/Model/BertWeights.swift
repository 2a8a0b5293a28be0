/// The tensors of a BERT encoder, as pointers into a mapped safetensors file, except the query, key
/// and value projections of each layer, which are copied side by side into one owned matrix so a
/// layer computes all three with a single product.
///
/// The pointers are valid while `file` and `storage` live; `BertModel` owns all three together.
struct BertWeights {
    /// One transformer layer.
    struct Layer {
        /// Query, key and value weights stacked: `3·hidden × hidden`.
        let queryKeyValueWeight: UnsafePointer<Float>
        /// Query, key and value biases stacked: `3·hidden`.
        let queryKeyValueBias: UnsafePointer<Float>
        /// Attention output projection, `hidden × hidden`, and its bias.
        let attentionOutputWeight: UnsafePointer<Float>
        let attentionOutputBias: UnsafePointer<Float>
        /// LayerNorm after the attention block.
        let attentionNormScale: UnsafePointer<Float>
        let attentionNormShift: UnsafePointer<Float>
        /// Feed-forward expansion, `intermediate × hidden`, and its bias.
        let intermediateWeight: UnsafePointer<Float>
        let intermediateBias: UnsafePointer<Float>
        /// Feed-forward contraction, `hidden × intermediate`, and its bias.
        let outputWeight: UnsafePointer<Float>
        let outputBias: UnsafePointer<Float>
        /// LayerNorm after the feed-forward block.
        let outputNormScale: UnsafePointer<Float>
        let outputNormShift: UnsafePointer<Float>
    }

    /// Word embeddings, `vocabulary × hidden`.
    let wordEmbeddings: UnsafePointer<Float>
    /// Position embeddings, `maxPositions × hidden`.
    let positionEmbeddings: UnsafePointer<Float>
    /// Token-type embeddings, `tokenTypes × hidden`; every token here is of type 0.
    let tokenTypeEmbeddings: UnsafePointer<Float>
    /// LayerNorm over the summed embeddings.
    let embeddingNormScale: UnsafePointer<Float>
    let embeddingNormShift: UnsafePointer<Float>
    /// The transformer layers, in order.
    let layers: [Layer]

    /// The number of floats `storage` must hold for `configuration`.
    static func storageCount(for configuration: BertConfiguration) -> Int {
        let hidden = configuration.hiddenSize
        return configuration.layerCount * 3 * hidden * (hidden + 1)
    }

    /// Looks up every tensor of a BERT checkpoint in `file` (names as Hugging Face's `BertModel`
    /// writes them), checking each shape against `configuration`, and fills `storage` with the
    /// stacked query, key and value projections (`storageCount(for:)` floats).
    init(
        file: SafeTensorsFile, configuration: BertConfiguration, storage: UnsafeMutablePointer<Float>
    ) throws(SafeTensorsError) {
        let hidden = configuration.hiddenSize
        let intermediate = configuration.intermediateSize
        func tensor(_ name: String, _ shape: Int...) throws(SafeTensorsError) -> UnsafePointer<Float> {
            try file.floatPointer(name, shape: shape)
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", configuration.vocabularySize, hidden)
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", configuration.maxPositions, hidden)
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", configuration.tokenTypeCount, hidden)
        embeddingNormScale = try tensor("embeddings.LayerNorm.weight", hidden)
        embeddingNormShift = try tensor("embeddings.LayerNorm.bias", hidden)

        var layers: [Layer] = []
        var cursor = storage
        for index in 0..<configuration.layerCount {
            let prefix = "encoder.layer.\(index)."
            let stackedWeight = cursor
            let stackedBias = cursor + 3 * hidden * hidden
            cursor += 3 * hidden * (hidden + 1)
            for (slot, name) in ["query", "key", "value"].enumerated() {
                let weight = try tensor(prefix + "attention.self.\(name).weight", hidden, hidden)
                let bias = try tensor(prefix + "attention.self.\(name).bias", hidden)
                (stackedWeight + slot * hidden * hidden).initialize(from: weight, count: hidden * hidden)
                (stackedBias + slot * hidden).initialize(from: bias, count: hidden)
            }
            layers.append(Layer(
                queryKeyValueWeight: UnsafePointer(stackedWeight),
                queryKeyValueBias: UnsafePointer(stackedBias),
                attentionOutputWeight: try tensor(prefix + "attention.output.dense.weight", hidden, hidden),
                attentionOutputBias: try tensor(prefix + "attention.output.dense.bias", hidden),
                attentionNormScale: try tensor(prefix + "attention.output.LayerNorm.weight", hidden),
                attentionNormShift: try tensor(prefix + "attention.output.LayerNorm.bias", hidden),
                intermediateWeight: try tensor(prefix + "intermediate.dense.weight", intermediate, hidden),
                intermediateBias: try tensor(prefix + "intermediate.dense.bias", intermediate),
                outputWeight: try tensor(prefix + "output.dense.weight", hidden, intermediate),
                outputBias: try tensor(prefix + "output.dense.bias", hidden),
                outputNormScale: try tensor(prefix + "output.LayerNorm.weight", hidden),
                outputNormShift: try tensor(prefix + "output.LayerNorm.bias", hidden)
            ))
        }
        self.layers = layers
    }
}
