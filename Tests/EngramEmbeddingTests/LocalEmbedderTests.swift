import Dispatch
import EngramCore
@testable import EngramEmbedding
import Foundation
import Synchronization
import Testing

@Suite("Local embedder")
struct LocalEmbedderTests {
    @Test("embeddings match the reference with cosine ≥ 0.9999 for every fixture case", arguments: ReferenceFixture.cases)
    func matchesReference(_ reference: ReferenceFixture.Case) throws {
        let embedder = try ReferenceFixture.embedder.get()
        let vector = embedder.embed(reference.text)
        #expect(vector.count == reference.embedding.count)
        #expect(cosine(vector, reference.embedding) >= 0.9999)
    }

    @Test("the embedder reports the model and 384 dimensions, and returns unit vectors")
    func describesItself() throws {
        let embedder: any Embedder = try ReferenceFixture.embedder.get()
        #expect(embedder.dimension == 384)
        #expect(embedder.modelID == "sentence-transformers/all-MiniLM-L6-v2")
        let vector = try embedder.embed("unit length")
        #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
    }

    @Test("a batch gives the same vectors as one text at a time, across several passes")
    func batchMatchesSingle() throws {
        let loaded = try ReferenceFixture.embedder.get()
        let embedder = try LocalEmbedder(configuration: .init(
            modelDirectory: loaded.configuration.modelDirectory, maxTokensPerPass: 300
        ))
        let texts = ReferenceFixture.cases.map(\.text)
        let batch = embedder.embed(batch: texts)
        #expect(batch.count == texts.count)
        for (text, vector) in zip(texts, batch) {
            #expect(cosine(vector, loaded.embed(text)) >= 0.99999, "\(text)")
        }
        #expect(embedder.embed(batch: []).isEmpty)
    }

    @Test("8 threads embedding at once give the same vectors as one")
    func concurrentCallsAgree() throws {
        let embedder = try ReferenceFixture.embedder.get()
        let texts = ReferenceFixture.cases.map(\.text)
        let expected = texts.map(embedder.embed)
        let batches = Mutex<[Int: [[Float]]]>([:])
        let singles = Mutex<[Int: [Float]]>([:])
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            // Each worker embeds every text in one batch, in its own order, and an eighth of them alone.
            let order = texts.indices.map { ($0 + worker * 5) % texts.count }
            let batch = embedder.embed(batch: order.map { texts[$0] })
            var inTextOrder = [[Float]](repeating: [], count: texts.count)
            for (position, index) in order.enumerated() {
                inTextOrder[index] = batch[position]
            }
            batches.withLock { $0[worker] = inTextOrder }
            for index in texts.indices where index % 8 == worker {
                let vector = embedder.embed(texts[index])
                singles.withLock { $0[index] = vector }
            }
        }
        // One text alone takes the same path whichever thread runs it: the vectors are identical.
        let alone = singles.withLock { $0 }
        #expect(alone.count == texts.count)
        for (index, vector) in alone {
            #expect(vector == expected[index], "\(texts[index])")
        }
        // In a batch, rounding may differ in the last bits from one text alone.
        let collected = batches.withLock { $0 }
        #expect(collected.count == 8)
        for vectors in collected.values {
            for (vector, reference) in zip(vectors, expected) {
                #expect(vector.count == reference.count && cosine(vector, reference) >= 0.99999)
            }
        }
    }

    @Test("a missing model names the command that fetches it")
    func missingModelNamesMakeModel() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-no-model-\(UUID())")
        #expect {
            try LocalEmbedder(configuration: .init(modelDirectory: directory.path))
        } throws: { error in
            guard case EmbeddingModelError.missing = error else { return false }
            return "\(error)".contains("make model")
        }
    }

    @Test("a truncated weights file is reported as corrupt, naming `make model`")
    func corruptModelNamesMakeModel() throws {
        let source = try ReferenceFixture.embedder.get().configuration.modelDirectory
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-bad-model-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(
            atPath: source + "/vocab.txt", toPath: directory.appendingPathComponent("vocab.txt").path
        )
        let weights = try FileHandle(forReadingFrom: URL(fileURLWithPath: source + "/model.safetensors"))
        let prefix = try weights.read(upToCount: 1 << 20) ?? Data()
        try weights.close()
        try prefix.write(to: directory.appendingPathComponent("model.safetensors"))
        #expect {
            try LocalEmbedder(configuration: .init(modelDirectory: directory.path))
        } throws: { error in
            guard case EmbeddingModelError.corrupt = error else { return false }
            return "\(error)".contains("make model")
        }
    }
}
