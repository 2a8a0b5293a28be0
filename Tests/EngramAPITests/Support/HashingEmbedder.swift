import EngramCore
import Foundation

/// A deterministic stand-in for the real embedder in API tests: each lower-cased word is hashed (FNV-1a)
/// into one of 256 buckets and the counts are normalised, so texts sharing words are similar and a
/// text is identical to itself.
struct HashingEmbedder: Embedder {
    let modelID = "test-hashing-embedder"
    let dimension = 256

    func embed(_ text: String) throws -> [Float] {
        var vector = [Float](repeating: 0, count: dimension)
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in word.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            vector[Int(hash % UInt64(dimension))] += 1
        }
        let norm = sqrt(vector.reduce(0) { $0 + $1 * $1 })
        if norm == 0 {
            vector[0] = 1
            return vector
        }
        return vector.map { $0 / norm }
    }

    func embed(batch texts: [String]) throws -> [[Float]] { try texts.map(embed) }

    func tokenCount(of text: String) -> Int { text.split(whereSeparator: \.isWhitespace).count }
}
