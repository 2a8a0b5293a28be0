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

    static func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 } }

    static func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }
}
