import Foundation
import GRDB
import GRDBSQLite

/// `text_bm25(memories_fts)`: FTS5's `bm25()` over the `text` column alone, registered on every
/// connection. The built-in counts every column in a row's length and in the average length, so the
/// `scope` column's tokens would change every score even at weight 0; this function gives the scores
/// the index had before that column existed, bit for bit: same constants (k1 1.2, b 0.75), same IDF
/// (rows of the whole table holding the phrase in `text`, floored at 1e-6), same order of operations
/// (https://www.sqlite.org/fts5.html#the_bm25_function; `fts5Bm25Function` in `fts5_aux.c`). Only
/// instances in `text` count, and a phrase's IDF is computed the first time a row holds it, so the
/// scope phrases are never counted. Like `bm25()`, lower is better.
///
/// `text_bm25(memories_fts, n)` counts only the first `n` phrases of the query: a MATCH that repeats
/// some of its words in a second clause, to require them (`KeywordPruning`), scores each row exactly as
/// the MATCH without that clause does. `text_bm25(memories_fts, n, hits)` also takes, as a blob of
/// native 64-bit integers, the number of rows holding each of the first phrases in `text` (negative for
/// unknown), counted by the caller in the same snapshot (`TermCounts`), instead of counting them again.
enum TextBM25 {
    /// The SQL name of the function.
    static let name = "text_bm25"

    /// The `text` column's index in `memories_fts`.
    private static let textColumn: Int32 = 0
    private static let k1 = 1.2
    private static let b = 0.75

    /// The IDF of a phrase `hits` of `rows` rows hold: log((N - n + 0.5) / (n + 0.5)), at least 1e-6.
    /// Larger for more rows and for fewer hits.
    static func idf(rows: Int64, hits: Int64) -> Double {
        let idf = log((Double(rows - hits) + 0.5) / (Double(hits) + 0.5))
        return idf <= 0.0 ? 1e-6 : idf
    }

    /// The most one phrase adds to a row's score, whatever the row: its IDF times k1 + 1, the bound its
    /// frequency term approaches (and never reaches) as the phrase fills the row.
    static func maximumContribution(idf: Double) -> Double {
        idf * (k1 + 1.0)
    }

    /// Registers the function on `db`'s connection.
    static func register(on db: Database) throws {
        let api = FTS5.api(db)
        let code = name.withCString { name in
            api.pointee.xCreateFunction(UnsafeMutablePointer(mutating: api), name, nil, function, nil)
        }
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "\(name) cannot be registered")
        }
    }

    /// Per-query values, kept as the query's FTS5 auxiliary data. Buffers rather than arrays: the
    /// function runs once per matching row.
    private final class Statistics {
        let averageLength: Double
        /// Per phrase; NaN until first needed.
        let idf: UnsafeMutableBufferPointer<Double>
        /// Per phrase, for the current row.
        let frequency: UnsafeMutableBufferPointer<Double>

        init(averageLength: Double, phrases: Int) {
            self.averageLength = averageLength
            idf = .allocate(capacity: phrases)
            idf.initialize(repeating: .nan)
            frequency = .allocate(capacity: phrases)
            frequency.initialize(repeating: 0)
        }

        deinit {
            idf.deallocate()
            frequency.deallocate()
        }
    }

    /// A failed FTS5 call's result code.
    private struct Failure: Error {
        let code: Int32
    }

    private static let function: fts5_extension_function = { api, fts, context, argumentCount, arguments in
        guard let api else { return }
        do {
            var counted = Int.max
            if argumentCount >= 1, let argument = arguments?[0] {
                counted = Int(max(sqlite3_value_int64(argument), 0))
            }
            var known = UnsafeRawBufferPointer(start: nil, count: 0)
            if argumentCount >= 2, let argument = arguments?[1], let bytes = sqlite3_value_blob(argument) {
                known = UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_value_bytes(argument)))
            }
            sqlite3_result_double(context, try score(api, fts, countedPhrases: counted, knownHits: known))
        } catch let failure as Failure {
            sqlite3_result_error_code(context, failure.code)
        } catch {
            sqlite3_result_error_code(context, SQLITE_ERROR)
        }
    }

    /// The negated BM25 score of the current row over the first `countedPhrases` phrases.
    private static func score(
        _ api: UnsafePointer<Fts5ExtensionApi>, _ fts: OpaquePointer?, countedPhrases: Int, knownHits: UnsafeRawBufferPointer
    ) throws -> Double {
        let statistics = try self.statistics(api, fts)
        let frequencies = statistics.frequency
        frequencies.update(repeating: 0)
        var instances: Int32 = 0
        try check(api.pointee.xInstCount(fts, &instances))
        for instance in 0..<instances {
            var phrase: Int32 = 0
            var column: Int32 = 0
            var offset: Int32 = 0
            try check(api.pointee.xInst(fts, instance, &phrase, &column, &offset))
            if column == textColumn, Int(phrase) < countedPhrases { frequencies[Int(phrase)] += 1 }
        }
        var tokens: Int32 = 0
        try check(api.pointee.xColumnSize(fts, textColumn, &tokens))
        let length = Double(tokens)
        var score = 0.0
        // Phrases absent from the row add exactly +0.0 in `bm25()`; skipping them changes no bit.
        for phrase in frequencies.indices where frequencies[phrase] > 0 {
            let frequency = frequencies[phrase]
            score += try idf(api, fts, phrase: phrase, statistics, knownHits: knownHits) * (
                (frequency * (k1 + 1.0)) / (frequency + k1 * (1 - b + b * length / statistics.averageLength))
            )
        }
        return -1.0 * score
    }

    /// The query's statistics, computed at its first row.
    private static func statistics(_ api: UnsafePointer<Fts5ExtensionApi>, _ fts: OpaquePointer?) throws -> Statistics {
        if let stored = api.pointee.xGetAuxdata(fts, 0) {
            return Unmanaged<Statistics>.fromOpaque(stored).takeUnretainedValue()
        }
        var rows: Int64 = 0
        var tokens: Int64 = 0
        try check(api.pointee.xRowCount(fts, &rows))
        try check(api.pointee.xColumnTotalSize(fts, textColumn, &tokens))
        let statistics = Statistics(averageLength: Double(tokens) / Double(rows), phrases: Int(api.pointee.xPhraseCount(fts)))
        // FTS5 owns one reference from here, released by the destructor (also when storing fails).
        try check(api.pointee.xSetAuxdata(fts, Unmanaged.passRetained(statistics).toOpaque()) { pointer in
            if let pointer { Unmanaged<Statistics>.fromOpaque(pointer).release() }
        })
        return statistics
    }

    /// The IDF of `phrase` over the whole table (`idf(rows:hits:)`), computed once per query, from the
    /// caller's count of its rows when `knownHits` has one.
    private static func idf(
        _ api: UnsafePointer<Fts5ExtensionApi>, _ fts: OpaquePointer?, phrase: Int, _ statistics: Statistics,
        knownHits: UnsafeRawBufferPointer
    ) throws -> Double {
        if !statistics.idf[phrase].isNaN { return statistics.idf[phrase] }
        var rows: Int64 = 0
        try check(api.pointee.xRowCount(fts, &rows))
        let width = MemoryLayout<Int64>.size
        var hits: Int64 = -1
        if (phrase + 1) * width <= knownHits.count {
            hits = knownHits.loadUnaligned(fromByteOffset: phrase * width, as: Int64.self)
        }
        if hits < 0 {
            hits = 0
            try check(api.pointee.xQueryPhrase(fts, Int32(phrase), &hits) { _, _, count in
                count?.assumingMemoryBound(to: Int64.self).pointee += 1
                return SQLITE_OK
            })
        }
        let value = idf(rows: rows, hits: hits)
        statistics.idf[phrase] = value
        return value
    }

    private static func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw Failure(code: code) }
    }
}
