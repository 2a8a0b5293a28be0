import EngramEmbedding
import Foundation

/// Embeds texts with the local model once and keeps the vectors in a file (float32, little-endian),
/// so later runs and both stores use the very same vectors.
struct EmbeddingCache {
    let directory: URL
    let embedder: LocalEmbedder

    /// The vectors of `texts`, from `name` in the cache when it holds them all.
    func vectors(for texts: [String], name: String) throws -> [[Float]] {
        let dimension = embedder.dimension
        let file = directory.appendingPathComponent("\(name)-\(texts.count)x\(dimension).f32")
        if let data = try? Data(contentsOf: file, options: .alwaysMapped), data.count == texts.count * dimension * 4 {
            return Self.rows(data, count: texts.count, dimension: dimension)
        }
        // The synthetic corpus of a smaller size is a prefix of a larger one's: read the first rows of a larger file.
        if let larger = Self.largerFile(in: directory, name: name, count: texts.count, dimension: dimension),
           let data = try? Data(contentsOf: larger, options: .alwaysMapped) {
            return Self.rows(data, count: texts.count, dimension: dimension)
        }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        let start = Date()
        for offset in stride(from: 0, to: texts.count, by: 256) {
            vectors += embedder.embed(batch: Array(texts[offset..<min(offset + 256, texts.count)]))
            if offset % 10_240 == 0, offset > 0 {
                let rate = Double(vectors.count) / Date().timeIntervalSince(start)
                print("  embedded \(vectors.count) of \(texts.count) (\(Int(rate)) texts/s)")
            }
        }
        var data = Data(capacity: texts.count * dimension * 4)
        for vector in vectors {
            for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try data.write(to: file)
        return vectors
    }

    private static func rows(_ data: Data, count: Int, dimension: Int) -> [[Float]] {
        data.withUnsafeBytes { raw in
            (0..<count).map { row in
                (0..<dimension).map { column in
                    Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: (row * dimension + column) * 4, as: UInt32.self)))
                }
            }
        }
    }

    /// A cache file of `name` with more than `count` rows, if any.
    private static func largerFile(in directory: URL, name: String, count: Int, dimension: Int) -> URL? {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.compactMap { file -> (rows: Int, url: URL)? in
            guard file.hasPrefix("\(name)-"), file.hasSuffix("x\(dimension).f32"),
                  let rows = Int(file.dropFirst(name.count + 1).dropLast("x\(dimension).f32".count)), rows > count else { return nil }
            return (rows, directory.appendingPathComponent(file))
        }.min { $0.rows < $1.rows }?.url
    }
}
