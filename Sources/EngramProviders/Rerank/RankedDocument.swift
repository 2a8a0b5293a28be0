import EngramCore

/// One entry of a rerank answer: a document's position in the request and its score.
struct RankedDocument: Sendable, Equatable {
    /// The document's index in the request's list.
    var index: Int
    /// The provider's relevance score (its own scale).
    var score: Double

    /// The scores in document order, one per document of a request that sent `count` of them.
    ///
    /// The answer must score every document exactly once: as many entries as documents, each index in
    /// `0..<count` and none twice, every score a finite number. Anything else is `provider_unavailable`
    /// naming `host` and what was wrong, never the answer itself. Providers list entries by score, not
    /// by index, so the order they arrive in means nothing here.
    static func documentOrder(_ entries: [RankedDocument], count: Int, host: String) throws(ProviderError) -> [Double] {
        guard entries.count == count else {
            throw ProviderError(.unavailable, "\(host) returned \(entries.count) scores for \(count) documents")
        }
        var scores = [Double?](repeating: nil, count: count)
        for entry in entries {
            guard (0..<count).contains(entry.index) else {
                throw ProviderError(.unavailable, "\(host) returned a score for document \(entry.index) of \(count)")
            }
            guard scores[entry.index] == nil else {
                throw ProviderError(.unavailable, "\(host) returned document \(entry.index) more than once")
            }
            guard entry.score.isFinite else {
                throw ProviderError(.unavailable, "\(host) returned a score that is not a finite number")
            }
            scores[entry.index] = entry.score
        }
        // Equal counts, every index in range and none repeated: every slot is filled.
        return scores.map { $0 ?? 0 }
    }
}
