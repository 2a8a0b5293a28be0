import EngramCore

extension PostgresMemoryStore {
    /// The `limit` memories closest to `vector` by cosine among those of `project` matching `filter` and
    /// `visibility`, best first; the score is the cosine similarity (1 − pgvector's cosine distance).
    ///
    /// When the filter matches at most `exactSearchLimit` memories (counted with that cap, through the
    /// scope indexes), each is compared with the query: exact. Otherwise the HNSW index answers with an
    /// iterative scan (`hnsw.iterative_scan = relaxed_order`), which keeps scanning until `limit` rows
    /// pass the filter, its breadth (`ef_search`) set for the number of results asked for, then the rows
    /// are scored at full precision and put in exact order: approximate, with the recall measured in
    /// docs/benchmarks.md ("Stores"). A vector of another dimension than the store's finds nothing.
    public func semanticSearch(_ vector: [Float], project: String, filter: Filter, visibility: Visibility, limit: Int) throws -> [ScoredMemory] {
        guard limit > 0, !vector.isEmpty else { return [] }
        let recorded = dimension.withLock { $0 }
        if let recorded, recorded != vector.count { return [] }
        var query = BoundQuery()
        var condition = try memoryCondition(project: project, filter: filter, visibility: visibility, into: &query)
        // Before `prepare` the column has no fixed dimension, so rows of other sizes are skipped here.
        if recorded == nil { condition += " AND vector_dims(m.embedding) = \(query.bind(.int8(vector.count)))" }
        return try read(project: project, keys: ReadRouter.keys(of: filter)) { connection in
            var counting = query
            let cap = counting.bind(.int8(configuration.exactSearchLimit + 1))
            let candidates = try connection.execute(
                // In the scope indexes' order: through one of them, never a table scan that might meet
                // the scope's rows (a new user's, say, all at the end of the table) only at its end.
                "SELECT count(*) FROM (SELECT 1 FROM memories m WHERE \(condition) ORDER BY m.created_at DESC, m.id DESC LIMIT \(cap)) AS c",
                counting.parameters
            ).requiredInt(0, 0)
            guard candidates > 0 else { return [] }
            let probe = query.bind(.vector(vector))
            let count = query.bind(.int8(limit))
            let owner = query.bind(.text(project))
            let sql: String
            let exact = candidates <= configuration.exactSearchLimit || recorded == nil
            if exact {
                // A materialised CTE cannot be read through the HNSW index: every candidate is scored.
                sql = """
                    WITH candidates AS MATERIALIZED (
                        SELECT m.id, m.embedding <=> \(probe)::vector AS distance FROM memories m WHERE \(condition)
                    ), best AS (
                        SELECT id, distance FROM candidates ORDER BY distance, id LIMIT \(count)
                    )
                    SELECT \(StoredRows.memoryColumns), 1 - b.distance FROM best b JOIN memories m ON m.id = b.id AND m.project = \(owner)
                    ORDER BY b.distance, b.id
                    """
            } else {
                // The index's order finds the candidates (at half precision with a halfvec index); they
                // are scored and returned at full precision.
                let index = builtVectorIndex.withLock { $0 } ?? .pgvectorDefaults
                try connection.setParameter("hnsw.ef_search", to: String(configuration.efSearch(limit: limit, scoped: filter != .all)))
                sql = """
                    WITH best AS MATERIALIZED (
                        SELECT m.id, m.embedding <=> \(probe)::vector AS distance FROM memories m WHERE \(condition)
                        ORDER BY \(index.distance(to: probe, dimension: vector.count)) LIMIT \(count)
                    )
                    SELECT \(StoredRows.memoryColumns), 1 - b.distance FROM best b JOIN memories m ON m.id = b.id AND m.project = \(owner)
                    ORDER BY b.distance, b.id
                    """
            }
            let result: PostgresResult
            if exact {
                result = try connection.execute(sql, query.parameters)
            } else {
                // Above the exact limit the HNSW index must answer: the planner, left alone, may read a
                // large scope through its b-tree index and sort every row by distance (28–33 ms for 20,000
                // memories on 2 cores, growing with the scope). Only the HNSW scan needs no sort of the scope.
                try connection.setParameter("enable_sort", to: "off")
                defer { try? connection.setParameter("enable_sort", to: "on") }
                result = try connection.execute(sql, query.parameters)
            }
            return try (0..<result.rowCount).map { row in
                let score = try result.double(row, StoredRows.memoryColumnCount)
                return ScoredMemory(memory: try StoredRows.memory(from: result, row: row), score: score, semanticScore: score)
            }
        }
    }

    /// The `limit` best keyword matches of `query` among the memories of `project` matching `filter` and
    /// `visibility`, best first. The score is `ts_rank` with length normalisation 1 (divided by
    /// 1 + log of the memory's length), positive for every match and higher for more and rarer-in-the-
    /// memory terms; `ScoreFusion` divides it by the best score of the search, as it does BM25. User text
    /// is never parsed as tsquery syntax (`KeywordTerms`).
    public func keywordSearch(_ query: String, project: String, filter: Filter, visibility: Visibility, limit: Int) throws -> [ScoredMemory] {
        guard limit > 0, let terms = KeywordTerms.tsquery(for: query, maxTerms: configuration.maxKeywordTerms) else { return [] }
        var bound = BoundQuery()
        let condition = try memoryCondition(project: project, filter: filter, visibility: visibility, into: &bound)
        let tsquery = bound.bind(.text(terms))
        let count = bound.bind(.int8(limit))
        let owner = bound.bind(.text(project))
        return try read(project: project, keys: ReadRouter.keys(of: filter)) { connection in
            // Rank on id and score alone, then read just the winners in full.
            let result = try connection.execute(
                """
                WITH ranked AS MATERIALIZED (
                    SELECT m.id, ts_rank(m.text_search, q.query, 1) AS relevance
                    FROM memories m, to_tsquery('english', \(tsquery)) AS q (query)
                    WHERE m.text_search @@ q.query AND \(condition)
                    ORDER BY relevance DESC, m.id LIMIT \(count)
                )
                SELECT \(StoredRows.memoryColumns), r.relevance FROM ranked r JOIN memories m ON m.id = r.id AND m.project = \(owner)
                ORDER BY r.relevance DESC, r.id
                """, bound.parameters)
            return try (0..<result.rowCount).map { row in
                let score = try result.double(row, StoredRows.memoryColumnCount)
                return ScoredMemory(memory: try StoredRows.memory(from: result, row: row), score: score, keywordScore: score)
            }
        }
    }
}
