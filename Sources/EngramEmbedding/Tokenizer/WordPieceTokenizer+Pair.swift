extension WordPieceTokenizer {
    /// The encoding of `first` and `second` as one sequence, `[CLS] first [SEP] second [SEP]`, in
    /// at most `configuration.maxTokens` tokens (at least the three special ones).
    ///
    /// A pair too long is truncated as Hugging Face's `BertTokenizer` does by default
    /// (`truncation=True`, the `longest_first` strategy of its Rust `tokenizers` backend, which
    /// sentence-transformers' `CrossEncoder` uses): with `room` pieces left after the special tokens, the
    /// shorter text keeps `min(its length, room / 2)` pieces and the longer one the rest of `room`; of two
    /// texts of equal length, the first counts as the shorter. Pieces are cut from the end of each text.
    public func encode(_ first: String, pairedWith second: String) -> PairEncoding {
        let room = max(configuration.maxTokens, 3) - 3
        // Which text is longer decides the cut, so the first is split whole; the second only as far as
        // tells whether it is longer (its pieces past `room` are never kept).
        var firstPieces: [Int32] = []
        var secondPieces: [Int32] = []
        appendPieces(of: first, to: &firstPieces, limit: .max)
        appendPieces(of: second, to: &secondPieces, limit: max(room, firstPieces.count + 1))
        let firstIsShorter = firstPieces.count <= secondPieces.count
        var shorter = min(firstPieces.count, secondPieces.count)
        var longer = max(firstPieces.count, secondPieces.count)
        if shorter + longer > room {
            shorter = min(shorter, room / 2)
            longer = room - shorter
        }
        let (firstCount, secondCount) = firstIsShorter ? (shorter, longer) : (longer, shorter)
        var ids: [Int32] = []
        ids.reserveCapacity(firstCount + secondCount + 3)
        ids.append(vocabulary.classifierID)
        ids += firstPieces[..<firstCount]
        ids.append(vocabulary.separatorID)
        ids += secondPieces[..<secondCount]
        ids.append(vocabulary.separatorID)
        let tokenTypes = [Int32](repeating: 0, count: firstCount + 2) + [Int32](repeating: 1, count: secondCount + 1)
        return PairEncoding(ids: ids, tokenTypes: tokenTypes)
    }
}
