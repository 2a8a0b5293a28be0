import CEmbeddingKernels
import EngramCore
import Foundation
import GRDB
import Testing
@testable import EngramSQLite

/// The int8 first pass over large candidate sets, and cached sets brought up to date by inserts alone.
@Suite struct VectorScanTests {
    /// `count` unit vectors in tight clusters: each cluster is a random direction and members differ
    /// from it by noise of about `spread` per component, so many scores near a search's cut-off differ
    /// by far less than the int8 error (about 0.01). A few rows are exact copies (equal scores, ordered
    /// by seq, the last stored first), and one is zero.
    static func clusteredRows(count: Int, dimension: Int, spread: Float, seed: UInt64) -> (vectors: [Float], seqs: [Int64], ids: [String]) {
        var generator = SplitMix(state: seed)
        let centres = (0..<max(1, count / 40)).map { _ in Sample.unitVector(using: &generator, dimension: dimension) }
        var vectors: [Float] = []
        for row in 0..<count {
            let centre = centres[row % centres.count]
            var member = centre.map { $0 + Float.random(in: -spread...spread, using: &generator) }
            let norm = member.reduce(0) { $0 + $1 * $1 }.squareRoot()
            member = member.map { $0 / norm }
            if row % 97 == 5 { member = Array(vectors[(row - 5) * dimension ..< (row - 4) * dimension]) }
            if row == 7 { member = Array(repeating: 0, count: dimension) }
            vectors += member
        }
        // Seqs not in row order, as a scope's rows come from its index, with gaps.
        let seqs = (0..<count).map { Int64(($0 * 7_919) % count) * 3 + 1 }
        return (vectors, seqs, seqs.map { "m\($0)" })
    }

    static func queries(around vectors: [Float], dimension: Int, seed: UInt64) -> [[Float]] {
        var generator = SplitMix(state: seed)
        let rows = vectors.count / dimension
        var queries: [[Float]] = []
        for index in 0..<24 {
            let row = Int.random(in: 0..<rows, using: &generator)
            var query = Array(vectors[row * dimension ..< (row + 1) * dimension])
            if index % 3 == 1 { query = query.map { $0 + Float.random(in: -0.02...0.02, using: &generator) } }
            if index % 3 == 2 { query = Sample.unitVector(using: &generator, dimension: dimension) }
            queries.append(query)
        }
        // A query that is not a unit vector, and a zero one (every score 0: the plain scan decides).
        queries.append(queries[0].map { $0 * 3.5 })
        queries.append(Array(repeating: 0, count: dimension))
        return queries
    }

    @Test(arguments: [(384, 4_000), (37, 1_500)])
    func theInt8PassFindsThePlainScansRowsAndScoresToTheBit(dimension: Int, count: Int) {
        let rows = Self.clusteredRows(count: count, dimension: dimension, spread: 0.003, seed: UInt64(dimension))
        let plain = CandidateVectors(dimension: dimension, vectors: rows.vectors, seqs: rows.seqs, ids: rows.ids)
        let quantized = CandidateVectors(dimension: dimension, vectors: rows.vectors, seqs: rows.seqs, ids: rows.ids, quantizing: true)
        #expect(!plain.isQuantized)
        #expect(quantized.isQuantized)
        var pruned = 0
        var searches = 0
        for query in Self.queries(around: rows.vectors, dimension: dimension, seed: 3) {
            for limit in [1, 10, 60, 500, count + 5] {
                let expected = plain.ranked(query, limit: limit)
                let found = quantized.ranked(query, limit: limit)
                #expect(expected.exactlyScored == count)
                #expect(found.hits.map(\.seq) == expected.hits.map(\.seq))
                #expect(found.hits.map(\.id) == expected.hits.map(\.id))
                #expect(found.hits.map(\.score.bitPattern) == expected.hits.map(\.score.bitPattern))
                searches += 1
                if found.exactlyScored < count / 4 { pruned += 1 }
            }
        }
        // The first pass rules out most rows for most searches (it would pass by scoring every row).
        #expect(pruned * 2 > searches)
    }

    @Test func everyKernelLevelQuantizesAlikeAndScoresTheCodesAlike() {
        let dimension = 37
        let rows = Self.clusteredRows(count: 64, dimension: dimension, spread: 0.05, seed: 2).vectors
        let query = Sample.unitVector(seed: 12, dimension: dimension)
        let supported = Int(engram_kernels_supported())
        var reference: (codes: [Int8], scales: [Float], residuals: [Float], norms: [Float], scores: [Float])?
        #if arch(arm64)
        let levels = [Int(ENGRAM_KERNELS_NONE), Int(ENGRAM_KERNELS_NEON)]
        #else
        let levels = [Int(ENGRAM_KERNELS_NONE), Int(ENGRAM_KERNELS_AVX2), Int(ENGRAM_KERNELS_AVX512)]
        #endif
        for level in levels where level <= supported {
            var codes = [Int8](repeating: 0, count: rows.count)
            var scales = [Float](repeating: 0, count: 64), residuals = scales, norms = scales, scores = scales
            engram_quantize_rows_at(Int32(level), rows, Int32(dimension), 64, &codes, &scales, &residuals, &norms)
            engram_dot_rows_i8_at(Int32(level), query, codes, Int32(dimension), 64, &scores)
            for row in 0..<64 {
                // Against a Double reference: the residual is what the codes leave, the scores their products.
                let values = rows[row * dimension ..< (row + 1) * dimension].map(Double.init)
                let rowCodes = codes[row * dimension ..< (row + 1) * dimension].map(Double.init)
                let residual = zip(values, rowCodes).reduce(0.0) { $0 + pow($1.0 - Double(scales[row]) * $1.1, 2) }.squareRoot()
                #expect(abs(Double(residuals[row]) - residual) <= 1e-6 + residual * 1e-4)
                #expect(abs(Double(norms[row]) - values.reduce(0.0) { $0 + $1 * $1 }.squareRoot()) < 1e-5)
                let product = zip(query.map(Double.init), rowCodes).reduce(0.0) { $0 + $1.0 * $1.1 }
                #expect(abs(Double(scores[row]) - product) < 1e-3)
                #expect(rowCodes.allSatisfy { abs($0) <= 127 } && rowCodes.contains { abs($0) == 127 } == (values.contains { $0 != 0 }))
            }
            if let reference {
                #expect(codes == reference.codes && scales == reference.scales)
            } else {
                reference = (codes, scales, residuals, norms, scores)
            }
        }
    }

    @Test func aRowThatIsNotFiniteIsAlwaysScoredInFloat() {
        var rows = Sample.unitVector(seed: 3, dimension: 8) + Sample.unitVector(seed: 4, dimension: 8)
        rows[9] = .infinity
        let quantized = rows.withUnsafeBufferPointer { QuantizedVectors($0, dimension: 8, count: 2) }
        #expect(quantized.errors[0].isFinite && quantized.errors[0] > 0)
        #expect(quantized.errors[1] == .infinity)
        let survivors = QuantizedVectors.survivors(of: Sample.unitVector(seed: 3, dimension: 8), limit: 1, in: [quantized])
        #expect(survivors?.map(\.row) == [0, 1])
        #expect(QuantizedVectors.survivors(of: Array(repeating: 0, count: 8), limit: 1, in: [quantized]) == nil)
    }

    @Test func equalScoresRankTheMemoryStoredLastFirstWhateverTheRowOrder() {
        let vector = Sample.unitVector(seed: 1, dimension: 8)
        let other = Sample.unitVector(seed: 2, dimension: 8)
        let set = CandidateVectors(dimension: 8, vectors: other + vector + vector + vector, seqs: [1, 9, 4, 6], ids: ["a", "b", "c", "d"])
        #expect(set.nearest(to: vector, limit: 2).map(\.id) == ["b", "d"])
    }

    @Test func anExtendedSetHoldsTheRowsOfOneLoadedWhole() throws {
        let dimension = 24
        let rows = Self.clusteredRows(count: 900, dimension: dimension, spread: 0.01, seed: 5)
        func set(_ range: Range<Int>, quantizing: Bool = false) -> CandidateVectors {
            CandidateVectors(dimension: dimension, vectors: Array(rows.vectors[range.lowerBound * dimension ..< range.upperBound * dimension]),
                             seqs: Array(rows.seqs[range]), ids: Array(rows.ids[range]), quantizing: quantizing)
        }
        let whole = set(0..<900, quantizing: true)
        // Below the threshold, then across it (every segment quantized), then quantized rows appended.
        let small = set(0..<300).appending(set(300..<400), quantizingFrom: 500)
        #expect(!small.isQuantized && small.count == 400)
        let crossing = small.appending(set(400..<600), quantizingFrom: 500)
        let extended = crossing.appending(set(600..<900), quantizingFrom: 500)
        for candidate in [crossing, extended] { #expect(candidate.isQuantized) }
        #expect(Flat(extended) == Flat(whole))
        #expect(extended.maxSeq == rows.seqs.max())
        #expect(extended.floatCount == whole.floatCount)
        #expect(extended.appending(set(0..<0), quantizingFrom: 500).count == 900)
    }

    @Test func oneRowAtATimeKeepsFewSegmentsAndTheSameRanking() {
        let dimension = 16
        let rows = Self.clusteredRows(count: 2_000, dimension: dimension, spread: 0.01, seed: 6)
        func set(_ range: Range<Int>, quantizing: Bool = false) -> CandidateVectors {
            CandidateVectors(dimension: dimension, vectors: Array(rows.vectors[range.lowerBound * dimension ..< range.upperBound * dimension]),
                             seqs: Array(rows.seqs[range]), ids: Array(rows.ids[range]), quantizing: quantizing)
        }
        var grown = set(0..<500)
        var most = 0
        for row in 500..<2_000 {
            grown = grown.appending(set(row..<row + 1), quantizingFrom: 1_000)
            most = max(most, grown.segments.count)
        }
        #expect(most <= 12)
        let whole = set(0..<2_000, quantizing: true)
        #expect(Flat(grown) == Flat(whole))
        for query in Self.queries(around: rows.vectors, dimension: dimension, seed: 4) {
            let expected = whole.ranked(query, limit: 30)
            let found = grown.ranked(query, limit: 30)
            #expect(found.hits.map(\.id) == expected.hits.map(\.id))
            #expect(found.hits.map(\.score.bitPattern) == expected.hits.map(\.score.bitPattern))
        }
    }

    /// A set's rows and int8 copy, segments joined (to compare sets built in different steps).
    struct Flat: Equatable {
        var vectors: [Float] = [], seqs: [Int64] = [], ids: [String] = []
        var codes: [Int8] = [], scales: [Float] = [], errors: [UInt32] = []

        init(_ set: CandidateVectors) {
            for segment in set.segments {
                vectors += segment.vectors
                seqs += segment.seqs
                ids += segment.ids
                codes += segment.quantized?.codes ?? []
                scales += segment.quantized?.scales ?? []
                errors += segment.quantized?.errors.map(\.bitPattern) ?? []
            }
        }
    }

    @Test func cachedVectorsAreExtendedByInsertsAndReloadedAfterOtherChanges() throws {
        try StoreFixture.run { store, fixture in
            var generator = SplitMix(state: 21)
            func memory(_ text: String, user: String = "alice", embedding: [Float]? = nil) -> Memory {
                Sample.memory(text, user: user, embedding: embedding ?? Sample.unitVector(using: &generator, dimension: 16))
            }
            let bobs = (0..<40).map { memory("b\($0)", user: "bob") }
            try store.apply(Sample.inserting((0..<40).map { memory("a\($0)") } + bobs))
            let query = Sample.unitVector(using: &generator, dimension: 16)
            let alice = Filter.and([.and([.compare(.field(.userID), .eq, .string("alice"))])])
            func top(_ filter: Filter, in store: SQLiteMemoryStore = store) throws -> [ScoredMemory] {
                try store.semanticSearch(query, project: "default", filter: filter, visibility: Sample.visible, limit: 5)
            }
            // Results must equal those of a store that loads every set afresh.
            func fresh(_ filter: Filter) throws -> [ScoredMemory] {
                var configuration = SQLiteStoreConfiguration()
                configuration.vectorCacheFloatBudget = 0
                return try top(filter, in: try fixture.open(configuration))
            }
            _ = try top(alice)
            _ = try top(.all)
            let misses = store.vectorCache.missCount

            // Inserts (one an exact match, one a copy of it: equal scores) extend both cached sets.
            let exact = memory("exact", embedding: query)
            try store.apply(Sample.inserting([memory("a-new"), exact]))
            let copy = memory("copy", embedding: query)
            try store.apply(Sample.inserting([copy, memory("b-new", user: "bob", embedding: query)]))
            // Equal scores: the memory stored last first.
            #expect(try top(alice).prefix(2).map(\.memory.id) == [copy.id, exact.id])
            #expect(try top(alice) == fresh(alice))
            #expect(try top(.all) == fresh(.all))
            #expect(store.vectorCache.missCount == misses)
            #expect(store.vectorCache.extensionCount == 2)
            // Each memory once: 40 + 3 of alice's, 80 + 4 in all.
            for (filter, count) in [(alice, 43), (Filter.all, 84)] {
                #expect(store.knownCandidateCount(project: "default", filter: filter, visibility: Sample.visible, dimension: 16) == count)
            }

            // A delete, an update and a supersession are not inserts: the sets are read again (bob's
            // update and supersession leave alice's set as it is).
            var delete = MemoryChanges()
            delete.deletions = [exact.id]
            try store.apply(delete)
            #expect(try top(alice) == fresh(alice))
            var update = MemoryChanges()
            var changed = bobs[0]
            changed.embedding = query
            update.updates = [changed]
            try store.apply(update)
            #expect(try top(.all).prefix(3).map(\.memory.id).contains(changed.id))
            #expect(try top(.all) == fresh(.all))
            var supersede = MemoryChanges()
            supersede.supersessions = [changed.id]
            try store.apply(supersede)
            #expect(try top(.all) == fresh(.all))
            #expect(try top(alice) == fresh(alice))
            #expect(store.vectorCache.missCount == misses + 3)
            #expect(store.vectorCache.extensionCount == 2)

            // An insert and a delete in one write are a reload too.
            var both = Sample.inserting([memory("another", embedding: query)])
            both.deletions = [try #require(try top(alice).first?.memory.id)]
            try store.apply(both)
            #expect(try top(alice) == fresh(alice))
            #expect(store.vectorCache.missCount == misses + 4)
        }
    }

    @Test func aLargeScopeSearchesTheSameWithAndWithoutTheInt8Pass() throws {
        try StoreFixture.run { _, fixture in
            let dimension = 32
            let rows = Self.clusteredRows(count: 1_200, dimension: dimension, spread: 0.01, seed: 8)
            let memories = (0..<1_200).compactMap { row -> Memory? in
                let vector = Array(rows.vectors[row * dimension ..< (row + 1) * dimension])
                guard vector.allSatisfy(\.isFinite) else { return nil }
                return Sample.memory("r\(row)", user: row % 5 == 0 ? "bob" : "alice", embedding: vector)
            }
            var quantizing = SQLiteStoreConfiguration()
            quantizing.quantizedScanMinimumVectors = 0
            var plain = SQLiteStoreConfiguration()
            plain.quantizedScanMinimumVectors = .max
            let stores = [try fixture.open(quantizing), try fixture.open(plain)]
            try stores[0].apply(Sample.inserting(Array(memories[..<1_000])))
            let alice = Filter.and([.and([.compare(.field(.userID), .eq, .string("alice"))])])
            let queries = Self.queries(around: rows.vectors, dimension: dimension, seed: 9)
            for (index, query) in queries.enumerated() {
                if index == 10 { try stores[1].apply(Sample.inserting(Array(memories[1_000...]))) }
                for filter in [alice, Filter.all] {
                    let results = try stores.map {
                        try $0.semanticSearch(query, project: "default", filter: filter, visibility: Sample.visible, limit: 20)
                    }
                    #expect(results[0] == results[1])
                }
            }
            #expect(stores[0].vectorCache.extensionCount == 2)
            // The first store searched through its int8 copies, the second without any.
            #expect(stores[0].vectorCache.quantizedCount == 2)
            #expect(stores[1].vectorCache.quantizedCount == 0)
        }
    }

    @Test func migration0005CountsInsertsFromTheUpgradeOn() throws {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let memories = (0..<30).map { Sample.memory("m\($0)", user: $0 % 2 == 0 ? "alice" : "bob") }
        do {
            let queue = try DatabaseQueue(path: fixture.path)
            try SchemaMigrations.migrator.migrate(queue, upTo: "0004_scope_generations")
            try queue.write { try SchemaMigrationsTests.insertRows(of: memories[..<20], into: $0) }
        }
        let store = try fixture.open()
        let query = Sample.unitVector(seed: 4, dimension: 8)
        let alice = Filter.and([.and([.compare(.field(.userID), .eq, .string("alice"))])])
        func top() throws -> [String] {
            try store.semanticSearch(query, project: "default", filter: alice, visibility: Sample.visible, limit: 30).map(\.memory.id)
        }
        #expect(try top().count == 10)
        try store.apply(Sample.inserting(Array(memories[20...])))
        #expect(try Set(top()) == Set(memories.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.id)))
        #expect(store.vectorCache.extensionCount == 1)
        let counters = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT generation, inserted FROM project_generations")
        }
        #expect(counters.count == 1)
        #expect(counters.first.map { ($0[0] as Int64, $0[1] as Int64) } ?? (0, 0) == (30, 10))
    }
}
