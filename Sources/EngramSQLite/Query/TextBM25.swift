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
enum TextBM25 {
    /// The SQL name of the function.
    static let name = "text_bm25"

    /// The `text` column's index in `memories_fts`.
    private static let textColumn: Int32 = 0
    private static let k1 = 1.2
    private static let b = 0.75

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

    private static let function: fts5_extension_function = { api, fts, context, _, _ in
        guard let api else { return }
        do {
            sqlite3_result_double(context, try score(api, fts))
        } catch let failure as Failure {
            sqlite3_result_error_code(context, failure.code)
        } catch {
            sqlite3_result_error_code(context, SQLITE_ERROR)
        }
    }

    /// The negated BM25 score of the current row.
    private static func score(_ api: UnsafePointer<Fts5ExtensionApi>, _ fts: OpaquePointer?) throws -> Double {
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
            if column == textColumn { frequencies[Int(phrase)] += 1 }
        }
        var tokens: Int32 = 0
        try check(api.pointee.xColumnSize(fts, textColumn, &tokens))
        let length = Double(tokens)
        var score = 0.0
        // Phrases absent from the row add exactly +0.0 in `bm25()`; skipping them changes no bit.
        for phrase in frequencies.indices where frequencies[phrase] > 0 {
            let frequency = frequencies[phrase]
            score += try idf(api, fts, phrase: phrase, statistics) * (
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

    /// The IDF of `phrase`: log((N - n + 0.5) / (n + 0.5)) for n of N rows holding it, at least 1e-6.
    private static func idf(
        _ api: UnsafePointer<Fts5ExtensionApi>, _ fts: OpaquePointer?, phrase: Int, _ statistics: Statistics
    ) throws -> Double {
        if !statistics.idf[phrase].isNaN { return statistics.idf[phrase] }
        var rows: Int64 = 0
        try check(api.pointee.xRowCount(fts, &rows))
        var hits: Int64 = 0
        try check(api.pointee.xQueryPhrase(fts, Int32(phrase), &hits) { _, _, count in
            count?.assumingMemoryBound(to: Int64.self).pointee += 1
            return SQLITE_OK
        })
        var idf = log((Double(rows - hits) + 0.5) / (Double(hits) + 0.5))
        if idf <= 0.0 { idf = 1e-6 }
        statistics.idf[phrase] = idf
        return idf
    }

    private static func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw Failure(code: code) }
    }
}
