import Foundation

extension BertConfiguration {
    /// The fields of a Hugging Face `config.json` this reader uses, under their names there.
    private struct File: Decodable {
        let vocabularySize: Int
        let hiddenSize: Int
        let layerCount: Int
        let headCount: Int
        let intermediateSize: Int
        let maxPositions: Int
        let tokenTypeCount: Int
        let layerNormEpsilon: Double
        let activation: String
        let positionEmbeddingType: String?

        private enum CodingKeys: String, CodingKey {
            case vocabularySize = "vocab_size"
            case hiddenSize = "hidden_size"
            case layerCount = "num_hidden_layers"
            case headCount = "num_attention_heads"
            case intermediateSize = "intermediate_size"
            case maxPositions = "max_position_embeddings"
            case tokenTypeCount = "type_vocab_size"
            case layerNormEpsilon = "layer_norm_eps"
            case activation = "hidden_act"
            case positionEmbeddingType = "position_embedding_type"
        }
    }

    /// The dimensions written in the contents of a Hugging Face BERT `config.json`. Only the exact GELU
    /// (`hidden_act` `gelu`) and absolute position embeddings are computed here, so any other value is
    /// rejected; so are dimensions that no BERT has (a head count that does not divide the width).
    init(configFileContents contents: Data) throws(BertConfigurationError) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: contents)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalid("the field \(key.stringValue) is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalid("the field \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type")
        } catch {
            throw .invalid("the file is not JSON")
        }
        guard file.activation == "gelu" else {
            throw .unsupported("hidden_act is \(file.activation); only gelu (the exact, erf form) is supported")
        }
        if let positions = file.positionEmbeddingType, positions != "absolute" {
            throw .unsupported("position_embedding_type is \(positions); only absolute is supported")
        }
        let sizes = [
            ("vocab_size", file.vocabularySize), ("hidden_size", file.hiddenSize),
            ("num_hidden_layers", file.layerCount), ("num_attention_heads", file.headCount),
            ("intermediate_size", file.intermediateSize), ("max_position_embeddings", file.maxPositions),
            ("type_vocab_size", file.tokenTypeCount),
        ]
        for (name, size) in sizes where size < 1 {
            throw .invalid("\(name) is \(size); it must be at least 1")
        }
        guard file.hiddenSize % file.headCount == 0 else {
            throw .invalid("hidden_size \(file.hiddenSize) is not a multiple of num_attention_heads \(file.headCount)")
        }
        guard file.layerNormEpsilon > 0, file.layerNormEpsilon.isFinite else {
            throw .invalid("layer_norm_eps is \(file.layerNormEpsilon); it must be positive")
        }
        self.init()
        vocabularySize = file.vocabularySize
        hiddenSize = file.hiddenSize
        layerCount = file.layerCount
        headCount = file.headCount
        intermediateSize = file.intermediateSize
        maxPositions = file.maxPositions
        tokenTypeCount = file.tokenTypeCount
        layerNormEpsilon = Float(file.layerNormEpsilon)
    }
}

/// Why a `config.json` does not describe a BERT this module can run.
enum BertConfigurationError: Error, Equatable, Sendable {
    /// The file is not a BERT configuration: not JSON, a field missing or of the wrong type, or
    /// dimensions no model has.
    case invalid(String)
    /// The file describes a BERT variant the forward pass does not compute.
    case unsupported(String)
}

extension BertConfigurationError: CustomStringConvertible {
    /// The reason, for start-up errors.
    var description: String {
        switch self {
        case let .invalid(reason), let .unsupported(reason): reason
        }
    }
}
