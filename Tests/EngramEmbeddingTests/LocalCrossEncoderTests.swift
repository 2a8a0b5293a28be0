import EngramCore
@testable import EngramEmbedding
import Foundation
import Testing

@Suite("Local cross-encoder")
struct LocalCrossEncoderTests {
    /// Every path this CPU runs: the portable kernels and each packed path it supports.
    static let kernelPaths: [MatrixKernels] = [.portable] + MatrixKernelsTests.packedPaths

    /// A reference model, loaded with `kernels` and the length limit its pairs were truncated to.
    private func load(
        _ model: CrossEncoderReference.Model, kernels: MatrixKernels = .automatic, maxTokensPerPass: Int = 2048
    ) throws -> LocalCrossEncoder {
        try LocalCrossEncoder(configuration: .init(
            modelDirectory: model.directory, maxTokens: model.maxLength, maxTokensPerPass: maxTokensPerPass, kernels: kernels
        ))
    }

    @Test("the reference is made, its logits spread across the pairs and some pairs are truncated")
    func referenceIsUsable() throws {
        let reference = try CrossEncoderReference.loaded.get()
        #expect(reference.models.count == 2)
        for model in reference.models {
            let logits = model.cases.map(\.logit)
            let mean = logits.reduce(0, +) / Double(logits.count)
            let deviation = (logits.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(logits.count)).squareRoot()
            // Logits that barely differ would pass a cosine test whatever the scores' order.
            #expect(deviation > 0.5 && deviation > abs(mean), "\(model.name): logits \(logits)")
            #expect(model.cases.contains { $0.inputIDs.count == model.maxLength }, "\(model.name): no pair is truncated")
        }
    }

    @Test("token ids and segments equal BertTokenizer's for every pair, truncation included")
    func encodingMatchesReference() throws {
        for model in try CrossEncoderReference.loaded.get().models {
            let encoder = try load(model)
            for pair in model.cases {
                let encoding = encoder.encode(query: pair.query, document: pair.document)
                #expect(encoding.ids == pair.inputIDs, "\(model.name): \(pair.query) / \(pair.document.prefix(40))")
                #expect(encoding.tokenTypes == pair.tokenTypeIDs, "\(model.name): \(pair.query) / \(pair.document.prefix(40))")
            }
        }
    }

    @Test("logits match PyTorch's: cosine ≥ 0.9999 and the largest error a small part of their spread", arguments: kernelPaths)
    func logitsMatchReference(_ kernels: MatrixKernels) throws {
        // The bfloat16 paths round weights and layer inputs to 8 significant bits (measured: errors near
        // 0.1% of the spread); the float ones only reorder sums (near 0.00003%).
        let tolerance = kernels.weightLayout == .bfloat16Panels ? 0.005 : 0.0001
        for model in try CrossEncoderReference.loaded.get().models {
            let encoder = try load(model, kernels: kernels)
            // The pairs that share a query are scored in one call, as a search does.
            var scores = [Double](repeating: .nan, count: model.cases.count)
            for query in Set(model.cases.map(\.query)) {
                let indices = model.cases.indices.filter { model.cases[$0].query == query }
                let scored = encoder.scores(query: query, documents: indices.map { model.cases[$0].document })
                for (index, score) in zip(indices, scored) { scores[index] = score }
            }
            let expected = model.cases.map(\.logit)

            let spread = (expected.max() ?? 0) - (expected.min() ?? 0)
            let error = zip(scores, expected).map { abs($0 - $1) }.max() ?? .infinity
            let similarity = cosine(scores.map(Float.init), expected.map(Float.init))
            #expect(similarity >= 0.9999, "\(model.name) on \(encoder.kernels.name): cosine \(similarity)")
            #expect(error <= tolerance * spread, "\(model.name) on \(encoder.kernels.name): max error \(error), spread \(spread)")
        }
    }

    @Test("many documents in several passes score as each alone")
    func passesMatchSingleScores() throws {
        let model = try #require(CrossEncoderReference.loaded.get().models.last)
        let encoder = try load(model, maxTokensPerPass: 100)
        let query = "what is the capital of france?"
        let documents = model.cases.map(\.document)
        let batch = encoder.scores(query: query, documents: documents)
        #expect(batch.count == documents.count)
        for (document, score) in zip(documents, batch) {
            let alone = encoder.scores(query: query, documents: [document])[0]
            #expect(abs(score - alone) <= 1e-3 * max(1, abs(alone)), "\(document.prefix(40))")
        }
        #expect(encoder.scores(query: query, documents: []).isEmpty)
    }

    @Test("the reranker names its model folder and reads the encoder's dimensions from config.json")
    func describesItself() throws {
        let model = try #require(CrossEncoderReference.loaded.get().models.last)
        let reranker: any Reranker = try load(model)
        #expect(reranker.modelID == "local/packed-uncased")
        let encoder = try load(model)
        #expect(encoder.bertConfiguration.hiddenSize == 384 && encoder.bertConfiguration.layerCount == 2)
        #expect(encoder.bertConfiguration.maxPositions == 512)
        let longest = try LocalCrossEncoder(configuration: .init(modelDirectory: model.directory, maxTokens: 100_000))
        #expect(longest.tokenizer.configuration.maxTokens == 512)
    }

    @Test("a missing folder is reported, naming config.json")
    func missingModelIsNamed() {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-no-cross-encoder-\(UUID())")
        #expect(throws: CrossEncoderModelError.missing(path: directory.appendingPathComponent("config.json").path)) {
            try LocalCrossEncoder(configuration: .init(modelDirectory: directory.path))
        }
    }

    @Test("an activation other than gelu is refused, naming config.json")
    func otherActivationIsRefused() throws {
        let copy = try copyOfModel { files in
            let config = files.appendingPathComponent("config.json")
            let text = try String(contentsOf: config, encoding: .utf8)
            try text.replacingOccurrences(of: "\"hidden_act\": \"gelu\"", with: "\"hidden_act\": \"relu\"")
                .write(to: config, atomically: true, encoding: .utf8)
        }
        defer { try? FileManager.default.removeItem(at: copy) }
        #expect {
            try LocalCrossEncoder(configuration: .init(modelDirectory: copy.path))
        } throws: { error in
            guard case let CrossEncoderModelError.unsupported(path, reason) = error else { return false }
            return path.hasSuffix("config.json") && reason.contains("relu") && "\(error)".contains("gelu")
        }
    }

    @Test("tokenizer settings it does not follow are refused, naming tokenizer_config.json")
    func unfollowedTokenizerSettingsAreRefused() throws {
        // The tiny model is cased: stripping accents without lowercasing is a combination the tokenizer lacks.
        let copy = try copyOfModel { files in
            let config = files.appendingPathComponent("tokenizer_config.json")
            let text = try String(contentsOf: config, encoding: .utf8)
            try text.replacingOccurrences(of: "\"strip_accents\": null", with: "\"strip_accents\": true")
                .write(to: config, atomically: true, encoding: .utf8)
        }
        defer { try? FileManager.default.removeItem(at: copy) }
        #expect {
            try LocalCrossEncoder(configuration: .init(modelDirectory: copy.path))
        } throws: { error in
            guard case let CrossEncoderModelError.unsupported(path, reason) = error else { return false }
            return path.hasSuffix("tokenizer_config.json") && reason.contains("strip_accents")
        }
    }

    @Test("a truncated weights file is reported as corrupt, naming it")
    func truncatedWeightsAreCorrupt() throws {
        let copy = try copyOfModel { files in
            let weights = files.appendingPathComponent("model.safetensors")
            let data = try Data(contentsOf: weights)
            try data.prefix(data.count / 2).write(to: weights)
        }
        defer { try? FileManager.default.removeItem(at: copy) }
        #expect {
            try LocalCrossEncoder(configuration: .init(modelDirectory: copy.path))
        } throws: { error in
            guard case let CrossEncoderModelError.corrupt(path, _) = error else { return false }
            return path.hasSuffix("model.safetensors")
        }
    }

    /// A copy of the tiny reference model's folder, changed by `change`.
    private func copyOfModel(_ change: (URL) throws -> Void) throws -> URL {
        let model = try #require(CrossEncoderReference.loaded.get().models.first)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("engram-cross-encoder-copy-\(UUID())")
        try FileManager.default.copyItem(atPath: model.directory, toPath: copy.path)
        try change(copy)
        return copy
    }
}
