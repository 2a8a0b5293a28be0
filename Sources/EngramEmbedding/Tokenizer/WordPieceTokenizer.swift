/// The tokenizer of BERT models such as all-MiniLM-L6-v2 (uncased, the default) or a cased one: basic
/// tokenisation (see `BasicTokenizer`), then WordPiece, greedy longest-match-first with `##`
/// continuation pieces, wrapped in `[CLS] … [SEP]` (or `[CLS] … [SEP] … [SEP]` for a pair of texts, see
/// `encode(_:pairedWith:)`) and truncated to a maximum length.
public struct WordPieceTokenizer: Sendable {
    /// Limits of the tokenizer.
    public struct Configuration: Sendable {
        /// The most tokens of one sequence, `[CLS]` and `[SEP]` included (at least 2); the tokens of
        /// a longer text are cut after the first `maxTokens - 2`.
        public var maxTokens: Int
        /// A word of more Unicode scalars than this becomes `[UNK]` without being split.
        public var maxWordLength: Int
        /// Whether text is lowercased and stripped of accents before WordPiece, as for an uncased
        /// model (`do_lower_case` in Hugging Face's `tokenizer_config.json`).
        public var lowercases: Bool

        /// Creates a configuration; the defaults are all-MiniLM-L6-v2's (256 tokens, words of 100,
        /// uncased).
        public init(maxTokens: Int = 256, maxWordLength: Int = 100, lowercases: Bool = true) {
            self.maxTokens = maxTokens
            self.maxWordLength = maxWordLength
            self.lowercases = lowercases
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
        var ids: [Int32] = [vocabulary.classifierID]
        appendPieces(of: text, to: &ids, limit: max(configuration.maxTokens, 2) - 1)
        ids.append(vocabulary.separatorID)
        return ids
    }

    /// Appends the word pieces of `text` to `ids` until `ids` holds `limit` ids; the pieces past that
    /// are dropped (and the words past that never split).
    func appendPieces(of text: String, to ids: inout [Int32], limit: Int) {
        let words = BasicTokenizer.words(in: text, lowercasing: configuration.lowercases)
        ids.reserveCapacity(min(limit, ids.count + words.bounds.count * 2) + 1)
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
