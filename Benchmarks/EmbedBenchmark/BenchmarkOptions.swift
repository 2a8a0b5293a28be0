import EngramEmbedding
import Foundation

/// The command line of the benchmark.
struct BenchmarkOptions {
    /// A JSON file `{"short": [texts], "long": [texts]}` written by scripts/bench_embed.py.
    let textsPath: String
    /// Threads for matrix products.
    let threads: Int
    /// The model folder.
    let modelDirectory: String
    /// Timed single-text calls per text length.
    let singleCalls: Int
    /// Texts per batch call.
    let batchSize: Int
    /// Minimum seconds spent on batch calls per text length.
    let batchSeconds: Double
    /// The linear-layer code path.
    let kernels: MatrixKernels

    /// Reasons the command line is rejected.
    enum Problem: Error, CustomStringConvertible {
        case missingValue(String)
        case unknownOption(String)
        case badValue(String, String)

        var description: String {
            switch self {
            case let .missingValue(option): "\(option) needs a value"
            case let .unknownOption(option): "unknown option \(option)"
            case let .badValue(option, value): "\(option) does not accept \(value)"
            }
        }
    }

    /// Parses `--texts FILE --threads N [--model DIR] [--calls N] [--batch N] [--seconds S]
    /// [--kernels automatic|amx-bf16|avx512-bf16|avx512|avx2|neon-bf16|neon|portable]`.
    init(arguments: [String]) throws(Problem) {
        var values: [String: String] = [:]
        var iterator = arguments.dropFirst().makeIterator()
        while let option = iterator.next() {
            guard ["--texts", "--threads", "--model", "--calls", "--batch", "--seconds", "--kernels"].contains(option) else {
                throw .unknownOption(option)
            }
            guard let value = iterator.next() else { throw .missingValue(option) }
            values[option] = value
        }
        guard let texts = values["--texts"] else { throw .missingValue("--texts") }
        textsPath = texts
        threads = values["--threads"].flatMap(Int.init) ?? 1
        modelDirectory = values["--model"] ?? LocalEmbedder.Configuration.defaultModelDirectory
        singleCalls = values["--calls"].flatMap(Int.init) ?? 200
        batchSize = values["--batch"].flatMap(Int.init) ?? 32
        batchSeconds = values["--seconds"].flatMap(Double.init) ?? 3
        let kernelName = values["--kernels"] ?? "automatic"
        guard let kernels = MatrixKernels(name: kernelName) else { throw .badValue("--kernels", kernelName) }
        self.kernels = kernels
    }
}
