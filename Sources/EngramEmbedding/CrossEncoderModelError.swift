/// Why a local cross-encoder cannot be loaded. Its description says what folder is expected, because
/// it is shown to whoever starts the server.
public enum CrossEncoderModelError: Error, Equatable, Sendable {
    /// A file of the model is absent from the model folder.
    case missing(path: String)
    /// A file of the model is present but unusable (truncated, altered, or of another model).
    case corrupt(path: String, reason: String)
    /// The file describes a model this forward pass does not compute (another activation, more than
    /// one output).
    case unsupported(path: String, reason: String)
}

extension CrossEncoderModelError: CustomStringConvertible {
    /// What is wrong and what folder would work, in one paragraph.
    public var description: String {
        let expected = "The local reranker needs a folder holding a BERT cross-encoder with one output "
            + "(BertForSequenceClassification, num_labels 1, hidden_act gelu) as Hugging Face publishes it, "
            + "such as cross-encoder/ms-marco-MiniLM-L-6-v2: config.json, model.safetensors and vocab.txt "
            + "(tokenizer_config.json optional)."
        switch self {
        case let .missing(path):
            return "The local reranker model is missing: \(path) does not exist. " + expected
        case let .corrupt(path, reason):
            return "The local reranker model is corrupt: \(path): \(reason). " + expected
        case let .unsupported(path, reason):
            return "The local reranker model is not supported: \(path): \(reason). " + expected
        }
    }
}
