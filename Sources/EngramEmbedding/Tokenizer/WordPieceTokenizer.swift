/// The tokenizer of BERT uncased models such as all-MiniLM-L6-v2: basic tokenisation (see
/// `BasicTokenizer`), then WordPiece, greedy longest-match-first with `##` continuation pieces,
/// wrapped in `[CLS] … [SEP]` and truncated to a maximum length.
public struct WordPieceTokenizer: Sendable {
    /// Limits of the tokenizer.
    public struct Configuration: Sendable {
        /// The most tokens of one sequence, `[CLS]` and `[SEP]` included (at least 2); the tokens of
        /// a longer text are cut after the first `maxTokens - 2`.
        public var maxTokens: Int
        /// A word of more Unicode scalars than this becomes `[UNK]` without being split.
        public var maxWordLength: Int

        /// Creates a configuration; the defaults are all-MiniLM-L6-v2's (256 tokens, words of 100).
        public init(maxTokens: Int = 256, maxWordLength: Int = 100) {
            self.maxTokens = maxTokens
            self.maxWordLength = maxWordLength
        }
    }

    /// The vocabulary pieces are looked up in.
    public let vocabulary: Vocabulary
    /// The limits in force.
    public let configuration: Configuration

    /// Creates a tokenizer over `vocabulary`.
    public init(vocabulary: Vocabulary, configuration: Configuration = Configuration()) {
        self.vocabulary = vocabulary
        self.configuration = configuration
    }

    /// The token ids of `text`: `[CLS]`, the word pieces (truncated), `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        let limit = max(configuration.maxTokens, 2) - 1
        let words = BasicTokenizer.words(in: text)
        var ids: [Int32] = [vocabulary.classifierID]
        ids.reserveCapacity(min(limit + 1, words.bounds.count * 2 + 2))
        var scratch = WordScratch()
        for bounds in words.bounds where ids.count < limit {
            let word = words.scalars[bounds]
            if word.count > configuration.maxWordLength {
                ids.append(vocabulary.unknownID)
            } else {
                appendPieces(of: word, to: &ids, scratch: &scratch)
            }
        }
        if ids.count > limit {
            ids.removeLast(ids.count - limit)
        }
        ids.append(vocabulary.separatorID)
        return ids
    }

    /// Buffers reused from word to word.
    private struct WordScratch {
        /// The word's UTF-8 bytes.
        var bytes: [UInt8] = []
        /// `offsets[k]` is the byte offset of scalar `k`; the last element is the byte count.
        var offsets: [Int] = []
        /// The pieces found so far for the current word.
        var pieces: [Int32] = []
    }

    /// Splits one word into the longest vocabulary pieces from the left; the whole word becomes
    /// `[UNK]` when some remainder starts no piece.
    private func appendPieces(of word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32], scratch: inout WordScratch) {
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.offsets.removeAll(keepingCapacity: true)
        scratch.pieces.removeAll(keepingCapacity: true)
        scratch.offsets.append(0)
        for scalar in word {
            UTF8.encode(scalar) { scratch.bytes.append($0) }
            scratch.offsets.append(scratch.bytes.count)
        }
        let scalarCount = word.count
        var start = 0
        while start < scalarCount {
            var end = scalarCount
            var match: Int32?
            while start < end {
                let piece = Array(scratch.bytes[scratch.offsets[start]..<scratch.offsets[end]])
                if let id = vocabulary.id(of: piece, isContinuation: start > 0) {
                    match = id
                    break
                }
                end -= 1
            }
            guard let id = match else {
                ids.append(vocabulary.unknownID)
                return
            }
            scratch.pieces.append(id)
            start = end
        }
        ids.append(contentsOf: scratch.pieces)
    }
}
