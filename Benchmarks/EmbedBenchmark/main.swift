import EngramEmbedding
import Foundation

// Measures the local embedder the way scripts/bench_embed.py measures sentence-transformers, and
// prints one JSON object. Usage: EmbedBenchmark --texts FILE --threads N [--model DIR]
do {
    let options = try BenchmarkOptions(arguments: CommandLine.arguments)
    let report = try EmbedBenchmark(options: options).run()
    let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("EmbedBenchmark: \(error)\n".utf8))
    exit(1)
}
