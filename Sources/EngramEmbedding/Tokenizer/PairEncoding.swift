/// Two texts encoded as one sequence for a cross-encoder: `[CLS] first [SEP] second [SEP]`.
public struct PairEncoding: Sendable, Equatable {
    /// The token ids, special tokens included.
    public var ids: [Int32]
    /// The segment of each token: 0 for `[CLS]`, the first text and its `[SEP]`; 1 for the second text
    /// and its `[SEP]`.
    public var tokenTypes: [Int32]

    /// Creates an encoding from ids and their segments, one per id.
    public init(ids: [Int32], tokenTypes: [Int32]) {
        precondition(ids.count == tokenTypes.count, "one token type per token")
        self.ids = ids
        self.tokenTypes = tokenTypes
    }
}
