import EngramEmbedding
import Foundation
import Testing

/// The reference outputs of all-MiniLM-L6-v2 (sentence-transformers) in
/// `Tests/Fixtures/minilm-reference.json` (a copy of the reference fixture), and the model the tests load.
struct ReferenceFixture: Decodable, Sendable {
    /// One input text with the token ids and embedding the reference produced for it.
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let text: String
        let inputIDs: [Int32]
        let embedding: [Float]

        private enum CodingKeys: String, CodingKey {
            case text
            case inputIDs = "input_ids"
            case embedding
        }

        var testDescription: String {
            let escaped = text.unicodeScalars.map { $0.escaped(asASCII: false) }.joined()
            return escaped.count > 60 ? String(escaped.prefix(57)) + "..." : "\"\(escaped)\""
        }
    }

    let dimension: Int
    let cases: [Case]

    /// The package root, found from this file's path (Tests/EngramEmbeddingTests/Support/).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The fixture, or why it could not be read.
    static let loaded: Result<ReferenceFixture, any Error> = Result {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/minilm-reference.json")
        return try JSONDecoder().decode(ReferenceFixture.self, from: Data(contentsOf: url))
    }

    /// The fixture's cases, empty when it cannot be read (a test reports that separately).
    static let cases: [Case] = (try? loaded.get())?.cases ?? []

    /// The model folder: `ENGRAM_MODEL_DIR`, or ./models/all-MiniLM-L6-v2 under the package root.
    static let modelDirectory: String = {
        if let configured = ProcessInfo.processInfo.environment["ENGRAM_MODEL_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured, relativeTo: packageRoot).path
        }
        return packageRoot.appendingPathComponent(LocalEmbedder.Configuration.defaultModelDirectory).path
    }()

    /// One embedder shared by the tests, loaded once.
    static let embedder: Result<LocalEmbedder, EmbeddingModelError> = Result {
        () throws(EmbeddingModelError) -> LocalEmbedder in
        try LocalEmbedder(configuration: .init(modelDirectory: modelDirectory))
    }
}

/// The cosine of the angle between two vectors of equal length.
func cosine(_ first: [Float], _ second: [Float]) -> Double {
    var dot = 0.0, firstSquares = 0.0, secondSquares = 0.0
    for (a, b) in zip(first, second) {
        dot += Double(a) * Double(b)
        firstSquares += Double(a) * Double(a)
        secondSquares += Double(b) * Double(b)
    }
    return dot / max((firstSquares * secondSquares).squareRoot(), .leastNormalMagnitude)
}
