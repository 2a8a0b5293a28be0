import EngramCore
import Foundation
import Testing
@testable import EngramPostgres

/// Semantic search over a filter too large for the exact path: the HNSW index with an iterative scan.
@Suite struct HNSWSearchTests {
    @Test func aLargeScopeIsSearchedThroughTheIndexWithHighRecallAndTheFilterKept() throws {
        let dimension = 32
        let (store, _) = try makePostgresStore(dimension: dimension) { $0.exactSearchLimit = 100 }
        var generator = SeededGenerator(state: 7)
        // alice holds 10% of 4,000 memories: the index must keep scanning until enough of hers pass.
        let memories = (0..<4000).map { index in
            testMemory("memory \(index)", user: index % 10 == 0 ? "alice" : "bob", at: Double(index),
                       embedding: unitVector(&generator, dimension: dimension))
        }
        for chunk in stride(from: 0, to: memories.count, by: 500) {
            try store.apply(inserting(Array(memories[chunk..<min(chunk + 500, memories.count)])))
        }
        let alice = Filter.compare(.field(.userID), .eq, .string("alice"))
        let visible = Visibility(today: "2026-01-01")
        var found = 0
        let queries = 20
        for _ in 0..<queries {
            let query = unitVector(&generator, dimension: dimension)
            let hits = try store.semanticSearch(query, project: "default", filter: alice, visibility: visible, limit: 10)
            #expect(hits.count == 10)
            #expect(hits.allSatisfy { $0.memory.scope.userID == "alice" })
            #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.score >= $1.score })
            let exact = memories.filter { $0.scope.userID == "alice" }
                .map { memory in (memory.id, zip(memory.embedding, query).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
                .sorted { $0.1 > $1.1 }.prefix(10).map(\.0)
            found += Set(hits.map(\.memory.id)).intersection(exact).count
        }
        let recall = Double(found) / Double(queries * 10)
        #expect(recall >= 0.9, "recall@10 \(recall)")
    }

    @Test func aHalfPrecisionIndexIsHalfTheSizeAndKeepsRecallAndExactScores() throws {
        // MiniLM's 384 dimensions: at small ones the graph's neighbour lists, not the vectors, fill the index.
        let dimension = 384
        let (single, _) = try makePostgresStore(dimension: dimension) { $0.exactSearchLimit = 100 }
        let (half, _) = try makePostgresStore(dimension: dimension) { configuration in
            configuration.exactSearchLimit = 100
            configuration.vectorIndex.precision = .half
        }
        #expect(half.vectorIndexStatus.built?.precision == .half)
        var generator = SeededGenerator(state: 21)
        let memories = (0..<3000).map { index in
            testMemory("memory \(index)", user: index % 4 == 0 ? "alice" : "bob", at: Double(index),
                       embedding: unitVector(&generator, dimension: dimension))
        }
        for store in [single, half] {
            for chunk in stride(from: 0, to: memories.count, by: 500) {
                try store.apply(inserting(Array(memories[chunk..<min(chunk + 500, memories.count)])))
            }
        }
        let singleBytes = try #require(try single.vectorIndexBytes())
        let halfBytes = try #require(try half.vectorIndexBytes())
        #expect(Double(halfBytes) < 0.65 * Double(singleBytes), "halfvec \(halfBytes) bytes, vector \(singleBytes)")

        let visible = Visibility(today: "2026-01-01")
        let byID = Dictionary(uniqueKeysWithValues: memories.map { ($0.id, $0) })
        var found = (single: 0, half: 0)
        let queries = 20
        for _ in 0..<queries {
            let query = unitVector(&generator, dimension: dimension)
            let exact = memories.map { memory in (memory.id, zip(memory.embedding, query).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
                .sorted { $0.1 > $1.1 }.prefix(10).map(\.0)
            let hits = try half.semanticSearch(query, project: "default", filter: .all, visibility: visible, limit: 10)
            #expect(hits.count == 10)
            for hit in hits {
                // Scored at full precision, not the index's half precision.
                let exact = zip(try #require(byID[hit.memory.id]).embedding, query).reduce(Float(0)) { $0 + $1.0 * $1.1 }
                #expect(abs(hit.score - Double(exact)) < 1e-5)
            }
            found.half += Set(hits.map(\.memory.id)).intersection(exact).count
            let singleHits = try single.semanticSearch(query, project: "default", filter: .all, visibility: visible, limit: 10)
            found.single += Set(singleHits.map(\.memory.id)).intersection(exact).count
        }
        // Uniform random 384-dimensional vectors are HNSW's hardest case; what matters is that half
        // precision loses next to nothing against the single-precision index on the same data.
        let recall = (single: Double(found.single) / Double(queries * 10), half: Double(found.half) / Double(queries * 10))
        #expect(recall.half >= 0.8, "halfvec recall@10 \(recall.half)")
        #expect(recall.half >= recall.single - 0.05, "halfvec recall@10 \(recall.half), vector \(recall.single)")
    }

    @Test func theIndexKeepsItsShapeUntilRebuiltWithTheConfiguredOne() throws {
        let (store, url) = try makePostgresStore(dimension: 8)
        var generator = SeededGenerator(state: 5)
        try store.apply(inserting((0..<50).map { testMemory("m\($0)", embedding: unitVector(&generator, dimension: 8)) }))
        #expect(store.vectorIndexStatus == .init(built: .pgvectorDefaults, configured: .pgvectorDefaults))

        var configuration = PostgresStoreConfiguration()
        configuration.vectorIndex = VectorIndexSettings(m: 24, efConstruction: 100, precision: .half)
        let reconfigured = try PostgresMemoryStore(url: url, configuration: configuration)
        try reconfigured.prepare(embeddingModel: "postgres-test", dimension: 8)
        #expect(reconfigured.vectorIndexStatus.built == .pgvectorDefaults)
        #expect(reconfigured.vectorIndexStatus.needsRebuild)
        // What an interrupted earlier rebuild leaves behind is dropped first.
        try reconfigured.withConnection { connection in
            try connection.executeScript("CREATE INDEX memories_embedding_hnsw_new ON memories (id);")
        }
        #expect(try reconfigured.rebuildVectorIndex() == configuration.vectorIndex)
        #expect(!reconfigured.vectorIndexStatus.needsRebuild)

        // Another instance opening the store learns the index's new shape from the database.
        let later = try PostgresMemoryStore(url: url)
        #expect(later.vectorIndexStatus.built == configuration.vectorIndex)
        let definition = try later.withConnection { connection in
            try connection.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'memories_embedding_hnsw'").text(0, 0)
        }
        #expect(definition?.contains("halfvec_cosine_ops") == true)
        #expect(definition?.contains("m='24'") == true)
        let leftovers = try later.withConnection { connection in
            try connection.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'memories_embedding_hnsw_new'").requiredInt(0, 0)
        }
        #expect(leftovers == 0)
        let hits = try later.semanticSearch(unitVector(&generator, dimension: 8), project: "default", filter: .all, visibility: Visibility(today: "2026-01-01"), limit: 5)
        #expect(hits.count == 5)
    }

    @Test func aBulkLoadIntoAnEmptyStoreBuildsTheIndexOnceAndAMissingIndexIsBuiltAtPrepare() throws {
        let (store, url) = try makePostgresStore(dimension: 8) { $0.exactSearchLimit = 0 }
        let exists = {
            try store.withConnection { connection in
                try connection.execute("SELECT to_regclass('memories_embedding_hnsw') IS NOT NULL").bool(0, 0)
            }
        }
        #expect(try store.beginBulkLoad())
        #expect(try !exists())
        var generator = SeededGenerator(state: 23)
        let memories = (0..<300).map { testMemory("m\($0)", at: Double($0), embedding: unitVector(&generator, dimension: 8)) }
        try store.apply(inserting(memories))
        // Searchable meanwhile, exactly.
        let query = unitVector(&generator, dimension: 8)
        let best = memories.max { zip($0.embedding, query).reduce(0) { $0 + $1.0 * $1.1 } < zip($1.embedding, query).reduce(0) { $0 + $1.0 * $1.1 } }
        let visible = Visibility(today: "2026-01-01")
        #expect(try store.semanticSearch(query, project: "default", filter: .all, visibility: visible, limit: 1).first?.memory.id == best?.id)
        try store.finishBulkLoad()
        #expect(try exists())
        // A store with memories keeps its index through a bulk load.
        #expect(try !store.beginBulkLoad())
        #expect(try exists())

        // An index lost with an interrupted load is built again when the store is next prepared.
        try store.withConnection { connection in try connection.executeScript("DROP INDEX memories_embedding_hnsw;") }
        let reopened = try PostgresMemoryStore(url: url)
        try reopened.prepare(embeddingModel: "postgres-test", dimension: 8)
        #expect(try exists())
        #expect(reopened.vectorIndexStatus.built == .pgvectorDefaults)
    }

    @Test func embeddingsPastPgvectorsSinglePrecisionLimitAreIndexedAtHalf() throws {
        var configuration = PostgresStoreConfiguration()
        configuration.vectorIndex = VectorIndexSettings(m: 16, efConstruction: 64, precision: .single)
        configuration.exactSearchLimit = 0  // through the index
        let (store, _) = try makePostgresStore(dimension: 3072) { $0 = configuration }
        #expect(store.vectorIndexStatus.built?.precision == .half)
        #expect(store.indexSettings(dimension: 2000).precision == .single)
        var generator = SeededGenerator(state: 13)
        let memory = testMemory("wide", embedding: unitVector(&generator, dimension: 3072))
        try store.apply(inserting([memory]))
        let hits = try store.semanticSearch(memory.embedding, project: "default", filter: .all, visibility: Visibility(today: "2026-01-01"), limit: 1)
        #expect(hits.map(\.memory.id) == [memory.id])
    }

    @Test func indexSettingsAreCheckedAndReadBack() {
        #expect(VectorIndexSettings(m: 16, efConstruction: 64, precision: .single).problem == nil)
        #expect(VectorIndexSettings(m: 1, efConstruction: 64, precision: .single).problem != nil)
        #expect(VectorIndexSettings(m: 40, efConstruction: 64, precision: .single).problem != nil)
        #expect(VectorIndexSettings(m: 16, efConstruction: 2000, precision: .half).problem != nil)
        let settings = VectorIndexSettings(m: 32, efConstruction: 200, precision: .half)
        #expect(VectorIndexSettings(recorded: settings.description) == settings)
        #expect(VectorIndexSettings(recorded: "vector m=x ef_construction=64") == nil)
        #expect(VectorIndexSettings(recorded: "") == nil)
    }

    @Test func searchesBeforePrepareSkipVectorsOfOtherSizes() throws {
        let (store, _) = try makePostgresStore(dimension: nil)
        var generator = SeededGenerator(state: 3)
        let small = testMemory("small", embedding: unitVector(&generator, dimension: 4))
        let large = testMemory("large", embedding: unitVector(&generator, dimension: 6))
        try store.apply(inserting([small, large]))
        let hits = try store.semanticSearch(small.embedding, project: "default", filter: .all, visibility: Visibility(today: "2026-01-01"), limit: 5)
        #expect(hits.map(\.memory.id) == [small.id])
    }
}
