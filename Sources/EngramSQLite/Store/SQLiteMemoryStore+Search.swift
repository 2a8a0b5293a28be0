import Foundation
import EngramCore
import GRDB

extension SQLiteMemoryStore {
    /// The `limit` memories closest to `vector` by exact cosine (dot product of unit vectors) among those
    /// of `project` matching `filter` and `visibility`, best first. Memories whose embedding has another
    /// dimension than `vector` are not candidates. Candidate vectors come from the cache when the
    /// generation of the pinned scope (or, unpinned, of the project), read in this search's snapshot,
    /// is the cached one; only the winners are read in full.
    public func semanticSearch(_ vector: [Float], project: String, filter: Filter, visibility: Visibility, limit: Int) throws -> [ScoredMemory] {
        try nearest(vector, project: project, filter: filter, visibility: visibility, limit: limit) { db, best in
            let memories = try hydrate(db, seqs: best.map(\.seq))
            return best.compactMap { hit in
                memories[hit.seq].map { ScoredMemory(memory: $0, score: Double(hit.score), semanticScore: Double(hit.score)) }
            }
        }
    }

    /// `semanticSearch`'s hits as ids and scores, from the candidate set alone (it holds the ids).
    public func semanticCandidates(
        _ vector: [Float], project: String, filter: Filter, visibility: Visibility, limit: Int
    ) throws -> [SearchCandidate] {
        try nearest(vector, project: project, filter: filter, visibility: visibility, limit: limit) { _, best in
            best.map { SearchCandidate(id: $0.id, score: Double($0.score)) }
        }
    }

    /// The number of vectors cached for this filter and visibility (of any generation), if any.
    public func knownCandidateCount(project: String, filter: Filter, visibility: Visibility, dimension: Int) -> Int? {
        guard let condition = try? memoryCondition(project: project, filter: filter, visibility: visibility) else { return nil }
        let scopeTokens = ScopeTokens.pinned(by: filter, project: project)
        return vectorCache.count(for: VectorCache.Key(project: project, condition: condition, dimension: dimension, scopeTokens: scopeTokens))
    }

    /// The `limit` candidates nearest to `vector`, as (seq, id, score) best first, handed to `finish` in
    /// the same snapshot.
    private func nearest<T>(
        _ vector: [Float], project: String, filter: Filter, visibility: Visibility, limit: Int,
        finish: (Database, [(seq: Int64, id: String, score: Float)]) throws -> [T]
    ) throws -> [T] {
        guard limit > 0, !vector.isEmpty else { return [] }
        let condition = try memoryCondition(project: project, filter: filter, visibility: visibility)
        let scopeTokens = ScopeTokens.pinned(by: filter, project: project)
        let key = VectorCache.Key(project: project, condition: condition, dimension: vector.count, scopeTokens: scopeTokens)
        let cached = FilterCompiler.hasBoundedShape(filter)
        return try read { db in
            // A search as of a past time is rare and its condition holds a time: it would only crowd the cache.
            if visibility.asOf != nil {
                let candidates = try loadCandidates(db, condition: condition, dimension: vector.count, cached: false)
                return try finish(db, candidates.nearest(to: vector, limit: limit))
            }
            let version = try self.version(db, project: project, scopeTokens: scopeTokens)
            let candidates: CandidateVectors
            switch vectorCache.lookup(key, version: version) {
            case .current(let hit):
                candidates = hit
            case .extendable(let earlier):
                let added = try loadCandidates(db, condition: condition, dimension: vector.count, cached: cached,
                                               after: earlier.maxSeq, byRowid: try newerRowCount(db, than: earlier.maxSeq) <= earlier.count)
                candidates = earlier.appending(added, quantizingFrom: configuration.quantizedScanMinimumVectors)
                vectorCache.store(candidates, for: key, version: version)
            case .missing:
                candidates = try loadCandidates(db, condition: condition, dimension: vector.count, cached: cached)
                vectorCache.store(candidates, for: key, version: version)
            }
            return try finish(db, candidates.nearest(to: vector, limit: limit))
        }
    }

    /// The `limit` best BM25 matches of `query` among the memories of `project` matching `filter` and
    /// `visibility`, best first, scored by the negated BM25 of the text (`TextBM25`; higher is better).
    /// The query is split into words, each quoted, joined by OR: user text is never parsed as FTS
    /// syntax. A query without letters or digits matches nothing. When the filter pins scope ids by
    /// equality, the MATCH also requires their scope tokens, so FTS5 ranks only the scope's matches; the
    /// SQL condition still decides which memories qualify.
    public func keywordSearch(_ query: String, project: String, filter: Filter, visibility: Visibility, limit: Int) throws -> [ScoredMemory] {
        try bestMatches(query, project: project, filter: filter, visibility: visibility, limit: limit) { db, ranked in
            let memories = try hydrate(db, seqs: ranked.map(\.seq))
            return ranked.compactMap { hit in
                memories[hit.seq].map { ScoredMemory(memory: $0, score: hit.score, keywordScore: hit.score) }
            }
        }
    }

    /// `keywordSearch`'s hits as ids and scores, straight from the ranking query.
    public func keywordCandidates(
        _ query: String, project: String, filter: Filter, visibility: Visibility, limit: Int
    ) throws -> [SearchCandidate] {
        try bestMatches(query, project: project, filter: filter, visibility: visibility, limit: limit) { _, ranked in
            ranked.map { SearchCandidate(id: $0.id, score: $0.score) }
        }
    }

    /// The `limit` best matches of `query`, as (seq, id, score) best first, handed to `finish` in the
    /// same snapshot. Over many matches, rows holding only the query's most common terms are left
    /// unscored when they cannot reach the best `limit` (`KeywordPruning`); the result is the same.
    private func bestMatches<T>(
        _ query: String, project: String, filter: Filter, visibility: Visibility, limit: Int,
        finish: (Database, [RankedMatch]) throws -> [T]
    ) throws -> [T] {
        let scopeTokens = ScopeTokens.pinned(by: filter, project: project)
        let queryTerms = KeywordQuery.terms(in: query, maxTerms: configuration.maxKeywordTerms)
        guard limit > 0, !queryTerms.isEmpty else { return [] }
        let condition = try memoryCondition(project: project, filter: filter, visibility: visibility)
        let ranking = KeywordRanking(
            scopeTokens: scopeTokens, condition: condition, cached: FilterCompiler.hasBoundedShape(filter), limit: limit
        )
        return try read { db in
            var terms = try counted(queryTerms, db)
            if terms.count > configuration.maxRankedKeywordTerms {
                terms = KeywordQuery.rarest(terms, limit: configuration.maxRankedKeywordTerms)
            }
            guard !terms.isEmpty else { return [] }
            let all = { try self.rank(db, terms, required: nil, ranking) }
            guard terms.reduce(0, { $0 + $1.documents }) >= configuration.keywordPruningMinimumDocuments,
                  let first = KeywordPruning.firstPass(terms, limit: limit)
            else { return try finish(db, all()) }
            // At least the index's row count (seqs are distinct and positive), as `skippable` needs.
            let rows = try largestSeq(db)
            guard KeywordPruning.worthwhile(terms, first: first, rows: rows) else { return try finish(db, all()) }
            let firstMatches = try rank(db, terms, required: first, ranking)
            guard firstMatches.count >= limit else { return try finish(db, all()) }
            let skipped = KeywordPruning.skippable(terms, required: first, rows: rows, threshold: firstMatches[limit - 1].score)
            guard !skipped.isEmpty else { return try finish(db, all()) }
            let required = terms.filter { !skipped.contains($0) }
            if required == first { return try finish(db, firstMatches) }
            return try finish(db, rank(db, terms, required: required, ranking))
        }
    }

    /// One keyword match: the memory's seq and id, and its score (the negated BM25; higher is better).
    typealias RankedMatch = (seq: Int64, id: String, score: Double)

    /// What every ranking pass of one keyword search shares.
    private struct KeywordRanking {
        var scopeTokens: [String]
        var condition: SQLFragment
        var cached: Bool
        var limit: Int
    }

    /// The best `ranking.limit` rows holding any of `terms` (one of `required`, when given) in the
    /// search's scope and condition, best first; ties by seq. Every row is scored on all of `terms`.
    ///
    /// When the MATCH is pinned to scope tokens nearly every match qualifies, so the index ranks first
    /// on its own and only its best `2 × limit` rows are looked up in `memories` for the condition; when
    /// fewer than `limit` of those qualify (and the index had more), the ranking is run again joined
    /// with every match. Either way the result is exact.
    private func rank(
        _ db: Database, _ terms: [KeywordPruning.Term], required: [KeywordPruning.Term]?, _ ranking: KeywordRanking
    ) throws -> [RankedMatch] {
        let match = KeywordQuery.matchExpression(
            terms: terms.map(\.text), required: required?.map(\.text), scopeTokens: ranking.scopeTokens
        )
        guard let match else { return [] }
        let condition = ranking.condition
        // The phrases scored, and how many rows hold each (`TextBM25`).
        let phrases = terms.count.databaseValue
        var hits = Data(capacity: terms.count * MemoryLayout<Int64>.size)
        for term in terms {
            withUnsafeBytes(of: Int64(term.documents)) { hits.append(contentsOf: $0) }
        }
        let scoring = [phrases, hits.databaseValue]
        if !ranking.scopeTokens.isEmpty {
            let shortlist = ranking.limit * 2
            let select = try statement(
                db, """
                SELECT m.seq, m.id, r.relevance, (\(condition.sql)) FROM (
                    SELECT rowid, \(TextBM25.name)(memories_fts, ?, ?) AS relevance FROM memories_fts
                    WHERE memories_fts MATCH ? ORDER BY relevance, rowid LIMIT ?
                ) r JOIN memories m ON m.seq = r.rowid
                ORDER BY r.relevance, m.seq
                """, cached: ranking.cached
            )
            var shortlisted = 0
            var matches: [RankedMatch] = []
            let arguments = StatementArguments(condition.arguments + scoring + [match.databaseValue, shortlist.databaseValue])
            let rows = try Row.fetchCursor(select, arguments: arguments)
            while let row = try rows.next() {
                shortlisted += 1
                if row[3] as Bool? == true { matches.append((seq: row[0], id: row[1], score: -(row[2] as Double))) }
            }
            // A shortlist shorter than asked for holds every match.
            if matches.count >= ranking.limit || shortlisted < shortlist {
                return Array(matches.prefix(ranking.limit))
            }
        }
        // Rank on the seq, id and score alone, so the sort does not carry whole rows (embeddings
        // included) for every match; the caller reads just the winners.
        let select = try statement(
            db, """
            SELECT m.seq, m.id, \(TextBM25.name)(memories_fts, ?, ?) AS relevance
            FROM memories_fts JOIN memories m ON m.seq = memories_fts.rowid
            WHERE memories_fts MATCH ? AND \(condition.sql)
            ORDER BY relevance, m.seq LIMIT ?
            """, cached: ranking.cached
        )
        var matches: [RankedMatch] = []
        let rows = try Row.fetchCursor(select, arguments: StatementArguments(scoring + [match.databaseValue] + condition.arguments + [ranking.limit.databaseValue]))
        while let row = try rows.next() {
            matches.append((seq: row[0], id: row[1], score: -(row[2] as Double)))
        }
        return matches
    }

    /// The cosine similarity of `vector` with each memory of `ids` in `project` whose embedding has the
    /// same dimension, by id, from the stored embeddings.
    public func similarities(_ vector: [Float], ids: [String], project: String) throws -> [String: Double] {
        guard !ids.isEmpty, !vector.isEmpty else { return [:] }
        return try read { db in
            let select = try db.cachedStatement(sql: """
                SELECT m.id, m.embedding FROM memories m WHERE m.id IN (SELECT value FROM json_each(?)) AND +m.project = ?
                """)
            var scores: [String: Double] = [:]
            let rows = try Row.fetchCursor(select, arguments: [Self.jsonList(ids), project])
            while let row = try rows.next() {
                let stored = try row.withUnsafeData(atIndex: 1) { data in
                    data.map { bytes in bytes.withUnsafeBytes { EmbeddingBlob.vector(from: $0) } } ?? []
                }
                guard stored.count == vector.count else { continue }
                scores[row[0]] = Double(DotProduct.compute(vector, stored))
            }
            return scores
        }
    }

    /// The memories of `ids` in `project`, by id, in one statement.
    public func memories(ids: [String], project: String) throws -> [String: Memory] {
        guard !ids.isEmpty else { return [:] }
        return try read { db in
            let select = try db.cachedStatement(sql: """
                SELECT \(StoredRows.memoryColumns) FROM memories m WHERE m.id IN (SELECT value FROM json_each(?)) AND +m.project = ?
                """)
            var memories: [String: Memory] = [:]
            for row in try Row.fetchAll(select, arguments: [Self.jsonList(ids), project]) {
                let memory = try StoredRows.memory(from: row)
                memories[memory.id] = memory
            }
            return memories
        }
    }

    /// The texts of the memories of `ids` in `project`, by id, in one statement.
    public func texts(ids: [String], project: String) throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        return try read { db in
            let select = try db.cachedStatement(sql: """
                SELECT m.id, m.text FROM memories m WHERE m.id IN (SELECT value FROM json_each(?)) AND +m.project = ?
                """)
            var texts: [String: String] = [:]
            for row in try Row.fetchAll(select, arguments: [Self.jsonList(ids), project]) { texts[row[0]] = row[1] }
            return texts
        }
    }

    /// The memory before and after each of `ids` in creation order, within `filter` and `visibility`.
    /// Each neighbour is one step along `memories_*_created` from its memory; the memories themselves
    /// are found by id (`+c.project` keeps the planner off the project's index, which it would walk).
    public func adjacentMemories(
        to ids: [String], project: String, filter: Filter, visibility: Visibility
    ) throws -> [String: AdjacentMemories] {
        guard !ids.isEmpty else { return [:] }
        let condition = try memoryCondition(project: project, filter: filter, visibility: visibility)
        let sql = """
            SELECT c.id,
                (SELECT m.id FROM memories m WHERE \(condition.sql) AND m.created_at <= c.created_at AND (m.created_at < c.created_at OR m.id < c.id)
                    ORDER BY m.created_at DESC, m.id DESC LIMIT 1),
                (SELECT m.id FROM memories m WHERE \(condition.sql) AND m.created_at >= c.created_at AND (m.created_at > c.created_at OR m.id > c.id)
                    ORDER BY m.created_at, m.id LIMIT 1)
            FROM memories c WHERE c.id IN (SELECT value FROM json_each(?)) AND +c.project = ?
            """
        var arguments = condition.statementArguments
        arguments += condition.statementArguments
        arguments += [Self.jsonList(ids), project]
        let cached = FilterCompiler.hasBoundedShape(filter)
        return try read { db in
            var result: [String: AdjacentMemories] = [:]
            for row in try Row.fetchAll(try statement(db, sql, cached: cached), arguments: arguments) {
                let adjacent = AdjacentMemories(previous: row[1], next: row[2])
                if adjacent.previous != nil || adjacent.next != nil { result[row[0]] = adjacent }
            }
            return result
        }
    }

    /// `strings` as a JSON array, for `json_each`.
    private static func jsonList(_ strings: [String]) -> String {
        let data = (try? JSONEncoder().encode(strings)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// `seqs` as a JSON array, for `json_each`.
    private static func jsonList(_ seqs: [Int64]) -> String {
        "[" + seqs.map(String.init).joined(separator: ",") + "]"
    }

    /// `terms` with the number of memories whose text holds each (all projects: the IDF of BM25 is over
    /// the whole table), from `termCounts` when it has them at this snapshot's version, else counted
    /// by the index and kept there.
    private func counted(_ terms: [String], _ db: Database) throws -> [KeywordPruning.Term] {
        let version = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(sum(generation), 0) FROM project_generations")) ?? 0
        var counts = termCounts.counts(of: terms, at: version)
        var counted: [String: Int] = [:]
        let count = try db.cachedStatement(sql: "SELECT count(*) FROM memories_fts WHERE memories_fts MATCH ?")
        for index in terms.indices where counts[index] == nil {
            let value = try Int.fetchOne(count, arguments: [KeywordQuery.matchExpression(terms: [terms[index]])]) ?? 0
            counts[index] = value
            counted[terms[index]] = value
        }
        if !counted.isEmpty { termCounts.store(counted, at: version) }
        return zip(terms, counts).map { KeywordPruning.Term(text: $0, documents: $1 ?? 0) }
    }

    /// The version keying cached vectors, read in the search's snapshot: the sums of the counters of the
    /// scope ids the filter pins (every change to a memory the filter can match bumps each of them, and
    /// other scopes' writes none), else the project's counters.
    private func version(_ db: Database, project: String, scopeTokens: [String]) throws -> VectorCache.Version {
        let row: Row?
        if scopeTokens.isEmpty {
            let query = try db.cachedStatement(sql: "SELECT generation, inserted FROM project_generations WHERE project = ?")
            row = try Row.fetchOne(query, arguments: [project])
        } else {
            let query = try db.cachedStatement(sql: """
                SELECT coalesce(sum(generation), 0), coalesce(sum(inserted), 0) FROM scope_generations
                WHERE token IN (SELECT value FROM json_each(?))
                """)
            // Tokens hold only letters and digits: a JSON array needs no escaping.
            let list = "[" + scopeTokens.map { "\"\($0)\"" }.joined(separator: ",") + "]"
            row = try Row.fetchOne(query, arguments: [list])
        }
        return VectorCache.Version(generation: row?[0] ?? 0, inserted: row?[1] ?? 0)
    }

    /// The largest `seq` of the table (0 when empty), read from the end of its b-tree.
    private func largestSeq(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(seq) FROM memories")) ?? 0
    }

    /// At most how many memories have a `seq` above `seq` (all the table's, in any project).
    private func newerRowCount(_ db: Database, than seq: Int64) throws -> Int {
        Int(clamping: max(0, try largestSeq(db) - seq))
    }

    /// Reads the embeddings of the candidate rows (with `after`, only those whose `seq` is larger) into
    /// one contiguous buffer, with their seqs and ids. `byRowid` walks the table from `after` on instead
    /// of letting the planner pick an index: better when fewer rows of any scope were stored since than
    /// the scope holds, as the scope's index would be read whole to find its few new rows.
    private func loadCandidates(
        _ db: Database, condition: SQLFragment, dimension: Int, cached: Bool, after: Int64? = nil, byRowid: Bool = false
    ) throws -> CandidateVectors {
        // NOT INDEXED still lets SQLite walk the rowid (`seq`) range (https://www.sqlite.org/lang_indexedby.html).
        let table = after != nil && byRowid ? "memories m NOT INDEXED" : "memories m"
        let sql = "SELECT m.seq, m.embedding, m.id FROM \(table) WHERE (\(condition.sql))" + (after == nil ? "" : " AND m.seq > ?")
        let select = try statement(db, sql, cached: cached)
        var arguments = condition.statementArguments
        if let after { arguments += [after] }
        var seqs: [Int64] = []
        var ids: [String] = []
        var vectors: [Float] = []
        let byteCount = dimension * MemoryLayout<Float>.size
        let rows = try Row.fetchCursor(select, arguments: arguments)
        while let row = try rows.next() {
            try row.withUnsafeData(atIndex: 1) { data in
                guard let data, data.count == byteCount else { return }
                let start = vectors.count
                vectors.append(contentsOf: repeatElement(0, count: dimension))
                data.withUnsafeBytes { bytes in
                    vectors.withUnsafeMutableBufferPointer { buffer in
                        EmbeddingBlob.append(bytes, dimension: dimension, into: buffer.baseAddress! + start)
                    }
                }
                seqs.append(row[0])
                ids.append(row[2])
            }
        }
        return CandidateVectors(dimension: dimension, vectors: vectors, seqs: seqs, ids: ids,
                                quantizing: after == nil && seqs.count >= configuration.quantizedScanMinimumVectors)
    }

    /// The full memories of `seqs`, by seq, in one statement.
    private func hydrate(_ db: Database, seqs: [Int64]) throws -> [Int64: Memory] {
        guard !seqs.isEmpty else { return [:] }
        let select = try db.cachedStatement(sql: """
            SELECT m.seq, \(StoredRows.memoryColumns) FROM memories m WHERE m.seq IN (SELECT value FROM json_each(?))
            """)
        var memories: [Int64: Memory] = [:]
        for row in try Row.fetchAll(select, arguments: [Self.jsonList(seqs)]) {
            memories[row[0]] = try StoredRows.memory(from: row, offset: 1)
        }
        return memories
    }
}
