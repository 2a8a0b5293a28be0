import EngramEmbedding
import Foundation

/// Single-text latency and batch throughput of `LocalEmbedder` on short and long texts, and the
/// resident memory of the process with the model loaded.
struct EmbedBenchmark {
    let options: BenchmarkOptions

    /// Runs every measurement and returns the report as JSON-ready values.
    func run() throws -> [String: Any] {
        let texts = try JSONDecoder().decode([String: [String]].self, from: Data(contentsOf: URL(fileURLWithPath: options.textsPath)))
        let embedder = try LocalEmbedder(configuration: .init(modelDirectory: options.modelDirectory, threads: options.threads, kernels: options.kernels
        ))
        let loadedResident = Self.memoryStatus("VmRSS")
        var report: [String: Any] = [
            "implementation": "engram", "threads": options.threads, "library": LocalEmbedder.matrixLibrary, "kernels": embedder.kernels.name,
        ]
        for kind in ["short", "long"] {
            guard let set = texts[kind], !set.isEmpty else { continue }
            let tokens = set.map { embedder.tokenizer.encode($0).count }
            var entry = single(embedder, texts: set)
            entry["batch_texts_per_s"] = batch(embedder, texts: set)
            entry["mean_tokens"] = Double(tokens.reduce(0, +)) / Double(tokens.count)
            report[kind] = entry
        }
        report["rss_loaded_mb"] = loadedResident
        report["rss_mb"] = Self.memoryStatus("VmRSS")
        report["peak_rss_mb"] = Self.memoryStatus("VmHWM")
        return report
    }

    /// Latency percentiles of one text per call, cycling through `texts` after a warm-up.
    private func single(_ embedder: LocalEmbedder, texts: [String]) -> [String: Any] {
        for text in texts.prefix(20) { _ = embedder.embed(text) }
        var milliseconds: [Double] = []
        milliseconds.reserveCapacity(options.singleCalls)
        for call in 0..<options.singleCalls {
            let start = ContinuousClock.now
            _ = embedder.embed(texts[call % texts.count])
            milliseconds.append(Self.milliseconds(ContinuousClock.now - start))
        }
        milliseconds.sort()
        return ["p50_ms": Self.percentile(milliseconds, 50), "p95_ms": Self.percentile(milliseconds, 95)]
    }

    /// Texts per second when embedding batches of `options.batchSize`, repeated for at least
    /// `options.batchSeconds` after one warm-up batch.
    private func batch(_ embedder: LocalEmbedder, texts: [String]) -> Double {
        let batches = stride(from: 0, to: texts.count, by: options.batchSize).map {
            Array(texts[$0..<min($0 + options.batchSize, texts.count)])
        }
        _ = embedder.embed(batch: batches[0])
        var embedded = 0
        var round = 0
        let start = ContinuousClock.now
        while round < 3 || Self.milliseconds(ContinuousClock.now - start) < options.batchSeconds * 1000 {
            let batch = batches[round % batches.count]
            embedded += embedder.embed(batch: batch).count
            round += 1
        }
        return Double(embedded) / (Self.milliseconds(ContinuousClock.now - start) / 1000)
    }

    /// The nearest-rank percentile of sorted values.
    private static func percentile(_ sorted: [Double], _ percent: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// A memory figure of this process from /proc/self/status, in MiB.
    private static func memoryStatus(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kilobytes / 1024
        }
        return 0
    }
}
