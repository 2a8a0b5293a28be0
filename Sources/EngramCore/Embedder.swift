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
}
