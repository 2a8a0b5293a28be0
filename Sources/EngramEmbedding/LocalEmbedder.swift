import EngramCore
import Foundation

/// The default `Embedder`: all-MiniLM-L6-v2 run in process, with no network. Texts are tokenised
/// (BERT uncased WordPiece), encoded by a 6-layer BERT whose products run on Engram's own kernels, mean-pooled
/// over their tokens and scaled to unit length, giving 384-component vectors equal (to float
/// rounding) to those of sentence-transformers.
///
/// Safe to call from many threads at once: the weights are shared and read-only, and every call
/// uses scratch memory of its own.
public struct LocalEmbedder: Embedder {
    /// How the embedder is loaded and run.
    public struct Configuration: Sendable {
        /// The folder this repository's `make model` fills, relative to the working directory.
        public static let defaultModelDirectory = "models/all-MiniLM-L6-v2"

        /// The folder holding `model.safetensors` and `vocab.txt`.
        public var modelDirectory: String
        /// The most tokens per text, `[CLS]` and `[SEP]` included; longer texts are truncated.
        public var maxTokens: Int
        /// The most tokens encoded in one forward pass; a larger batch is split, which bounds the
        /// scratch memory of a call (about 14 KB per token).
        public var maxTokensPerPass: Int
        /// The most cores one forward pass uses for a matrix product. The packed kernels keep
        /// `threads - 1` helper threads that take part of a product when they are idle.
        public var threads: Int
        /// The code of the linear layers; `.automatic` picks the fastest this CPU runs.
        public var kernels: MatrixKernels

        /// Creates a configuration; the defaults suit a small server.
        public init(
            modelDirectory: String = Configuration.defaultModelDirectory,
            maxTokens: Int = 256,
            maxTokensPerPass: Int = 2048,
            threads: Int = 1,
            kernels: MatrixKernels = .automatic
        ) {
            self.modelDirectory = modelDirectory
            self.maxTokens = maxTokens
            self.maxTokensPerPass = maxTokensPerPass
            self.threads = threads
            self.kernels = kernels
        }
    }

    /// The model's name on Hugging Face.
    public let modelID = "sentence-transformers/all-MiniLM-L6-v2"
    /// The tokenizer, exposed so callers can count tokens.
    public let tokenizer: WordPieceTokenizer
    /// The settings this embedder was loaded with.
    public let configuration: Configuration
    private let model: BertModel

    /// What computes the forward pass, for start-up logs: Engram's own kernels, no BLAS library.
    public static var matrixLibrary: String { "Engram's kernels for every product, attention included" }

    /// The code path the linear layers run on: `avx512-bf16`, `avx512`, `avx2` or `portable`.
    public var kernels: MatrixKernels { model.kernels }

    /// The number of components of each vector: 384.
    public var dimension: Int { model.configuration.hiddenSize }

    /// Loads the model from `configuration.modelDirectory`, validating the vocabulary and every
    /// tensor; a missing or unusable file gives an error that says how to fetch the model.
    public init(configuration: Configuration = Configuration()) throws(EmbeddingModelError) {
        let bert = BertConfiguration()
        let directory = URL(fileURLWithPath: configuration.modelDirectory, isDirectory: true)
        let vocabularyPath = directory.appendingPathComponent("vocab.txt").path
        let weightsPath = directory.appendingPathComponent("model.safetensors").path
        for path in [vocabularyPath, weightsPath] where !FileManager.default.fileExists(atPath: path) {
            throw .missing(path: path)
        }

        guard let contents = FileManager.default.contents(atPath: vocabularyPath) else {
            throw .corrupt(path: vocabularyPath, reason: "the file cannot be read")
        }
        let vocabulary: Vocabulary
        do {
            vocabulary = try Vocabulary(fileContents: [UInt8](contents))
        } catch {
            throw .corrupt(path: vocabularyPath, reason: error.description)
        }
        guard vocabulary.count == bert.vocabularySize else {
            throw .corrupt(path: vocabularyPath, reason: "\(vocabulary.count) tokens, expected \(bert.vocabularySize)")
        }

        do {
            model = try BertModel(
                file: try SafeTensorsFile(path: weightsPath), configuration: bert, kernels: configuration.kernels,
                threads: configuration.threads
            )
        } catch {
            throw .corrupt(path: weightsPath, reason: error.description)
        }
        tokenizer = WordPieceTokenizer(
            vocabulary: vocabulary,
            configuration: .init(maxTokens: min(max(configuration.maxTokens, 2), bert.maxPositions))
        )
        self.configuration = configuration
    }

    /// The unit-length embedding of `text`.
    public func embed(_ text: String) -> [Float] {
        model.embed([tokenizer.encode(text)])[0]
    }

    /// The number of tokens of `text`, `[CLS]` and `[SEP]` included, after truncation.
    public func tokenCount(of text: String) -> Int {
        tokenizer.encode(text).count
    }

    /// The unit-length embeddings of `texts`, in order. Texts are encoded together, in passes of at
    /// most `configuration.maxTokensPerPass` tokens.
    public func embed(batch texts: [String]) -> [[Float]] {
        let sequences = texts.map(tokenizer.encode)
        var vectors: [[Float]] = []
        vectors.reserveCapacity(sequences.count)
        for pass in ForwardPasses.ranges(lengths: sequences.map(\.count), maxTokens: configuration.maxTokensPerPass) {
            vectors += model.embed(Array(sequences[pass]))
        }
        return vectors
    }
}
