import EngramCore
import Foundation

/// The `local` reranker: a BERT cross-encoder from Hugging Face (such as
/// cross-encoder/ms-marco-MiniLM-L-6-v2) run in process, with no network. Each (query, document) pair
/// is tokenised as one sequence, `[CLS] query [SEP] document [SEP]`, encoded by the same BERT forward
/// pass and kernels as `LocalEmbedder`, and scored by the model's head (pooler and one-logit
/// classifier of `BertForSequenceClassification`): the score is that raw logit, equal (to float
/// rounding) to what PyTorch computes.
///
/// Safe to call from many threads at once: the weights are shared and read-only, and every call
/// uses scratch memory of its own.
public struct LocalCrossEncoder: Reranker {
    /// How the cross-encoder is loaded and run.
    public struct Configuration: Sendable {
        /// The folder holding `config.json`, `model.safetensors`, `vocab.txt` and optionally
        /// `tokenizer_config.json` (read for `do_lower_case`; uncased without it).
        public var modelDirectory: String
        /// The most tokens per (query, document) pair, the three special tokens included; never more
        /// than the model's `max_position_embeddings`. A longer pair is truncated as Hugging Face's
        /// `truncation=True` does (see `WordPieceTokenizer.encode(_:pairedWith:)`).
        public var maxTokens: Int
        /// The most tokens encoded in one forward pass; more documents are scored in several passes,
        /// which bounds the scratch memory of a call (about 14 KB per token for a MiniLM-sized model).
        public var maxTokensPerPass: Int
        /// The most cores one forward pass uses for a matrix product (see `LocalEmbedder.Configuration`).
        public var threads: Int
        /// The code of the linear layers; `.automatic` picks the fastest this CPU runs.
        public var kernels: MatrixKernels

        /// Creates a configuration for the model in `modelDirectory`; the other defaults suit a small
        /// server.
        public init(
            modelDirectory: String,
            maxTokens: Int = 512,
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

    /// `local/` and the model folder's name, such as `local/ms-marco-MiniLM-L-6-v2`.
    public let modelID: String
    /// The tokenizer, with the model's casing and the configured length limit.
    public let tokenizer: WordPieceTokenizer
    /// The settings this cross-encoder was loaded with.
    public let configuration: Configuration
    /// The encoder's dimensions, as read from `config.json`.
    public var bertConfiguration: BertConfiguration { model.configuration }
    /// The code path the linear layers run on (never `.automatic`).
    public var kernels: MatrixKernels { model.kernels }
    private let model: BertModel
    private let head: SequenceClassifierHead

    /// Loads the model from `configuration.modelDirectory`: its dimensions from `config.json`, then the
    /// vocabulary and every tensor, each checked against them. Tensors are named as
    /// `BertForSequenceClassification` saves them (`bert.` before the encoder's and the pooler's
    /// names); a file without that prefix is read too. A missing, corrupt or unsupported file gives an
    /// error naming it.
    public init(configuration: Configuration) throws(CrossEncoderModelError) {
        let directory = URL(fileURLWithPath: configuration.modelDirectory, isDirectory: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let configPath = path("config.json")
        let vocabularyPath = path("vocab.txt")
        let weightsPath = path("model.safetensors")
        for required in [configPath, vocabularyPath, weightsPath] where !FileManager.default.fileExists(atPath: required) {
            throw .missing(path: required)
        }
        func contents(_ path: String) throws(CrossEncoderModelError) -> Data {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .corrupt(path: path, reason: "the file cannot be read")
            }
            return data
        }

        let configContents = try contents(configPath)
        let bert: BertConfiguration
        do {
            bert = try BertConfiguration(configFileContents: configContents)
        } catch {
            switch error {
            case let .invalid(reason): throw .corrupt(path: configPath, reason: reason)
            case let .unsupported(reason): throw .unsupported(path: configPath, reason: reason)
            }
        }
        guard bert.tokenTypeCount >= 2 else {
            throw .unsupported(path: configPath, reason: "type_vocab_size is \(bert.tokenTypeCount); a pair needs 2 segments")
        }

        let vocabularyContents = try contents(vocabularyPath)
        let vocabulary: Vocabulary
        do {
            vocabulary = try Vocabulary(fileContents: [UInt8](vocabularyContents))
        } catch {
            throw .corrupt(path: vocabularyPath, reason: error.description)
        }
        guard vocabulary.count <= bert.vocabularySize else {
            throw .corrupt(path: vocabularyPath, reason: "\(vocabulary.count) tokens, more than vocab_size \(bert.vocabularySize)")
        }
        let lowercases = try Self.lowercases(tokenizerConfigPath: path("tokenizer_config.json"))

        do {
            let file = try SafeTensorsFile(path: weightsPath)
            let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
            head = try SequenceClassifierHead(file: file, hiddenSize: bert.hiddenSize, prefix: prefix)
            model = try BertModel(
                file: file, configuration: bert, prefix: prefix, kernels: configuration.kernels, threads: configuration.threads
            )
        } catch {
            if case let .wrongShape("classifier.weight", _, actual) = error, actual.count == 2, actual[1] == bert.hiddenSize {
                throw .unsupported(path: weightsPath, reason: "the classifier has \(actual[0]) outputs; a reranker needs 1")
            }
            throw .corrupt(path: weightsPath, reason: error.description)
        }
        tokenizer = WordPieceTokenizer(
            vocabulary: vocabulary,
            configuration: .init(maxTokens: min(max(configuration.maxTokens, 3), bert.maxPositions), lowercases: lowercases)
        )
        modelID = "local/" + directory.lastPathComponent
        self.configuration = configuration
    }

    /// `do_lower_case` from the `tokenizer_config.json` at `path`; true when the file or the field is
    /// absent. Settings the tokenizer does not follow are refused rather than ignored: `strip_accents`
    /// other than null or `do_lower_case`'s value, and `tokenize_chinese_chars` false.
    private static func lowercases(tokenizerConfigPath path: String) throws(CrossEncoderModelError) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return true }
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data),
              let fields = object as? [String: Any]
        else {
            throw .corrupt(path: path, reason: "the file is not a JSON object")
        }
        var lowercases = true
        if let value = fields["do_lower_case"] {
            guard let flag = value as? Bool else { throw .corrupt(path: path, reason: "do_lower_case is not true or false") }
            lowercases = flag
        }
        if let stripsAccents = fields["strip_accents"] as? Bool, stripsAccents != lowercases {
            throw .unsupported(path: path, reason: "strip_accents is \(stripsAccents) with do_lower_case \(lowercases); only the two equal (or strip_accents null) are supported")
        }
        if fields["tokenize_chinese_chars"] as? Bool == false {
            throw .unsupported(path: path, reason: "tokenize_chinese_chars is false; only true is supported")
        }
        return lowercases
    }

    /// The pair of `query` and `document` as the model reads it: token ids and segments, truncated to
    /// `configuration.maxTokens`.
    public func encode(query: String, document: String) -> PairEncoding {
        tokenizer.encode(query, pairedWith: document)
    }

    /// Scores are the classifier's raw logits: a reranked result's score is their logistic function.
    public var scoresAreLogits: Bool { true }

    /// The logit of each document against `query`, element `i` for `documents[i]`, higher meaning more
    /// relevant. Pairs are encoded together, in passes of at most `configuration.maxTokensPerPass` tokens.
    public func scores(query: String, documents: [String]) -> [Double] {
        let pairs = documents.map { encode(query: query, document: $0) }
        var scores: [Double] = []
        scores.reserveCapacity(pairs.count)
        for pass in ForwardPasses.ranges(lengths: pairs.map(\.ids.count), maxTokens: configuration.maxTokensPerPass) {
            let states = model.classifierStates(pairs[pass].map(\.ids), tokenTypes: pairs[pass].map(\.tokenTypes))
            scores += states.map { Double(head.logit(of: $0)) }
        }
        return scores
    }
}
