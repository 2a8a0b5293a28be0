/// Turns text into fixed-size vectors whose cosine similarity reflects meaning.
///
/// Implementations are shared by every request handler, so they must be safe to call from many
/// threads at once. Calls are synchronous: they run on the caller's thread (a worker thread the
/// server owns) and never on the Swift concurrency pool.
public protocol Embedder: Sendable {
    /// The identifier of the model, recorded next to stored embeddings so a store is never searched
    /// with vectors from another model.
    var modelID: String { get }

    /// The number of components of every vector this embedder returns.
    var dimension: Int { get }

    /// Embeds one text.
    func embed(_ text: String) throws -> [Float]

    /// Embeds several texts at once; element `i` of the result belongs to `texts[i]`.
    func embed(batch texts: [String]) throws -> [[Float]]

    /// The number of tokens the model reads for `text` (after any truncation), for usage reports.
    func tokenCount(of text: String) -> Int

    /// Starts embedding `text` and returns what waits for its vector, so the caller can do other work
    /// in the meantime. Embedders that compute on their own threads override it; the default embeds at
    /// once.
    func startEmbedding(_ text: String) -> PendingEmbedding
}

extension Embedder {
    public func startEmbedding(_ text: String) -> PendingEmbedding {
        let result = Result { try embed(text) }
        return PendingEmbedding { try result.get() }
    }
}

/// A vector being computed: `wait()` blocks until it is ready and returns it (or the error). It may be
/// waited for on another thread than the one that started it.
public struct PendingEmbedding: Sendable {
    private let result: @Sendable () throws -> [Float]

    public init(_ result: @escaping @Sendable () throws -> [Float]) {
        self.result = result
    }

    public func wait() throws -> [Float] {
        try result()
    }
}
