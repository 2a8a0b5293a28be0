/// Why the local embedding model cannot be loaded. Its description names the command that fixes it,
/// because it is shown to whoever starts the server.
public enum EmbeddingModelError: Error, Equatable, Sendable {
    /// A file of the model is absent from the model folder.
    case missing(path: String)
    /// A file of the model is present but unusable (truncated, altered, or of another model).
    case corrupt(path: String, reason: String)
}

extension EmbeddingModelError: CustomStringConvertible {
    /// What is wrong and how to fix it, in one paragraph.
    public var description: String {
        let remedy = "Run `make model` to download and verify it, or set ENGRAM_MODEL_DIR to a folder "
            + "that holds all-MiniLM-L6-v2's model.safetensors and vocab.txt."
        switch self {
        case let .missing(path):
            return "The local embedding model is missing: \(path) does not exist. " + remedy
        case let .corrupt(path, reason):
            return "The local embedding model is corrupt: \(path): \(reason). " + remedy
        }
    }
}
