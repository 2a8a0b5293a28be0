import EngramCore
import Foundation

/// What both benchmark runs measure with: latency percentiles, cosine of unit vectors, milliseconds.
enum Measure {
    /// p50 and p95 of `body` over `count` queries (after a warm-up pass over a few).
    static func latencies(count: Int, _ body: (Int) throws -> Void) throws -> (p50: Double, p95: Double) {
        for index in 0..<min(10, count) { try body(index) }
        var times: [Double] = []
        for index in 0..<count {
            let start = DispatchTime.now().uptimeNanoseconds
            try body(index)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        return (times[times.count / 2], times[min(times.count - 1, times.count * 95 / 100)])
    }

    /// The share of each query's top 10 (from `search`) that belongs in the exact top 10 among
    /// `vectors[members]`: a hit counts when its cosine is at least the exact 10th best (texts repeat in
    /// the corpus, so equal scores are interchangeable).
    static func recallAt10(
        queries: ArraySlice<[Float]>, vectors: [[Float]], members: [Int], search: ([Float]) throws -> [ScoredMemory]
    ) throws -> Double {
        var found = 0
        for query in queries {
            let exact = members.map { dot(vectors[$0], query) }.sorted(by: >).prefix(10)
            guard let tenth = exact.last else { continue }
            found += try search(query).prefix(10).filter { dot($0.memory.embedding, query) >= tenth - 1e-5 }.count
        }
        return Double(found) / Double(queries.count * 10)
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 } }

    static func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }
}
