/// Top-k pruning of the keyword ranking, after the "max score" idea (Turtle and Flood, 1995). Over a
/// large scope, the words most memories hold ("user", "likes") make a search score nearly every memory,
/// though they move the ranking least: BM25 weighs a word by its rarity. A row holding only such words
/// scores less than the sum of their largest contributions (`TextBM25.maximumContribution`), so once
/// `limit` rows score at least that sum, rows holding nothing else cannot reach the best `limit` and
/// need not be scored.
///
/// A search first ranks the rows holding its rarest terms (`firstPass`); the `limit`-th best score among
/// them is a threshold, a lower bound of the final `limit`-th (every row keeps its score in every pass).
/// The most common terms whose largest contributions together stay below it (`skippable`) are then
/// scored but not required: the final pass ranks the rows holding one of the other terms. Its result is
/// the exact best `limit` of the whole ranking, scores and order alike.
enum KeywordPruning {
    /// A query term with the number of rows whose text holds it: the count its phrase's IDF is
    /// computed from (`TextBM25`).
    struct Term: Equatable {
        var text: String
        var documents: Int
    }

    /// The rarest terms, fewest documents first (ties in query order), until together they are held
    /// `limit` times; nil when that takes every term, and nothing could be pruned. Returned in query order.
    static func firstPass(_ terms: [Term], limit: Int) -> [Term]? {
        var chosen: Set<Int> = []
        var documents = 0
        for (index, term) in terms.enumerated().sorted(by: { ($0.element.documents, $0.offset) < ($1.element.documents, $1.offset) }) {
            guard documents < limit else { break }
            chosen.insert(index)
            documents += term.documents
        }
        guard chosen.count < terms.count else { return nil }
        return terms.indices.filter(chosen.contains).map { terms[$0] }
    }

    /// Whether pruning is likely to pay for its first pass, judged before running it: the first pass's
    /// rows score at least about the IDF of its most common term (one occurrence in a row of average
    /// length scores the IDF), and the terms that threshold would let the final pass skip must hold a
    /// quarter of all the terms' rows more than the first pass reads. The real threshold is usually
    /// higher; this errs towards the one plain ranking, which costs about what the final pass costs
    /// when the terms are about equally common.
    static func worthwhile(_ terms: [Term], first: [Term], rows: Int64) -> Bool {
        guard let estimate = first.map({ TextBM25.idf(rows: rows, hits: Int64($0.documents)) }).min() else { return false }
        let total = terms.reduce(0) { $0 + $1.documents }
        let firstRows = first.reduce(0) { $0 + $1.documents }
        let skippedRows = skippable(terms, required: first, rows: rows, threshold: estimate).reduce(0) { $0 + $1.documents }
        return skippedRows - firstRows >= total / 4
    }

    /// The most common terms outside `required`, most documents first, for as long as the
    /// sum of their largest contributions stays below `threshold`: a row holding none but these scores
    /// below the threshold. `rows` must be at least the table's row count (the IDF grows with it, so
    /// the bound stays a bound). Returned in query order.
    static func skippable(_ terms: [Term], required: [Term], rows: Int64, threshold: Double) -> [Term] {
        let candidates = terms.enumerated()
            .filter { !required.contains($0.element) }
            .sorted { ($0.element.documents, $0.offset) > ($1.element.documents, $1.offset) }
        var skipped: Set<Int> = []
        var bound = 0.0
        for (index, term) in candidates {
            let contribution = TextBM25.maximumContribution(idf: TextBM25.idf(rows: rows, hits: Int64(term.documents)))
            // A margin far above rounding: the scores summed in SQLite and this sum need not agree to the bit.
            guard (bound + contribution) * (1 + 1e-9) < threshold else { break }
            bound += contribution
            skipped.insert(index)
        }
        return terms.indices.filter(skipped.contains).map { terms[$0] }
    }
}
