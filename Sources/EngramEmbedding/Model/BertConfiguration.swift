/// The dimensions of a BERT encoder. The defaults are those of all-MiniLM-L6-v2; another model's are
/// read from its `config.json` (`init(configFileContents:)`). The loader checks every tensor of the
/// weights file against them.
public struct BertConfiguration: Sendable, Equatable {
    /// Rows of the word-embedding table; equals the vocabulary size.
    public var vocabularySize = 30522
    /// Width of every token's hidden state.
    public var hiddenSize = 384
    /// Number of transformer layers.
    public var layerCount = 6
    /// Number of attention heads per layer; `hiddenSize` is a multiple of it.
    public var headCount = 12
    /// Width of the feed-forward layer.
    public var intermediateSize = 1536
    /// Rows of the position-embedding table: the longest sequence the weights can encode.
    public var maxPositions = 512
    /// Rows of the token-type (segment) embedding table.
    public var tokenTypeCount = 2
    /// The epsilon added to the variance in every LayerNorm.
    public var layerNormEpsilon: Float = 1e-12

    /// Creates the configuration of all-MiniLM-L6-v2.
    public init() {}

    /// Width of one attention head.
    var headSize: Int { hiddenSize / headCount }
}
