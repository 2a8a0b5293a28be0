import EngramCore
import EngramTestSupport
import Foundation
import Testing
@testable import EngramProviders

/// The OpenAI-compatible and Ollama embedders through libcurl against the fake server.
@Suite("Remote embedders")
struct RemoteEmbedderTests {
    private typealias Path = FakeProviderServer.Path

    private func openAI(_ fake: FakeProviderServer, dimensions: Int? = nil) throws -> RemoteEmbedder {
        try RemoteEmbedder.openAI(
            provider: "openai", model: "text-embedding-3-small", endpoint: .standard(baseURL: fake.openAIBaseURL, apiKey: "sk-emb"),
            client: TestClients.client(), requestedDimensions: dimensions)
    }

    /// The fake's vector for `text`, scaled to unit length.
    private func expected(_ text: String, dimension: Int) -> [Float] {
        let raw = FakeProviderServer.vector(for: text, dimension: dimension)
        let length = raw.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        return raw.map { Float(Double($0) / length) }
    }

    private func isClose(_ left: [Float], _ right: [Float]) -> Bool {
        left.count == right.count && zip(left, right).allSatisfy { abs($0 - $1) < 1e-5 }
    }

    @Test("splits a large batch into calls of at most 100 and keeps input order")
    func batching() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIEmbeddings(dimension: 8), on: Path.openAIEmbeddings)
            let embedder = try openAI(fake, dimensions: 8)
            #expect(fake.requests.isEmpty)
            let texts = (0..<250).map { "memory number \($0)" }
            let vectors = try embedder.embed(batch: texts)
            let sent = fake.requests(on: Path.openAIEmbeddings)
            #expect(sent.map { ($0.json["input"] as? [String])?.count } == [100, 100, 50])
            #expect(sent.first?.header("Authorization") == "Bearer sk-emb")
            let body = try #require(sent.first).json
            #expect(body["model"] as? String == "text-embedding-3-small")
            #expect(body["encoding_format"] as? String == "float")
            #expect(body["dimensions"] as? Int == 8)
            #expect(vectors.count == 250)
            for (text, vector) in zip(texts, vectors) {
                #expect(isClose(vector, expected(text, dimension: 8)), "vector of \(text)")
            }
        }
    }

    @Test("returns unit-length vectors")
    func normalised() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIEmbeddings(dimension: 16), on: Path.openAIEmbeddings)
            let vector = try openAI(fake, dimensions: 16).embed("I live in Lisbon")
            let length = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(length - 1) < 1e-5)
            #expect(FakeProviderServer.vector(for: "I live in Lisbon", dimension: 16).reduce(0) { $0 + $1 * $1 } > 1.01)
        }
    }

    @Test("learns the dimension from one probe call when none is configured")
    func probe() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIEmbeddings(dimension: 12), on: Path.openAIEmbeddings)
            let embedder = try openAI(fake)
            #expect(embedder.dimension == 12)
            #expect(embedder.modelID == "openai/text-embedding-3-small")
            #expect(fake.requests.count == 1)
            #expect(try embedder.embed("x").count == 12)
            #expect(fake.requests.allSatisfy { $0.json["dimensions"] == nil })
        }
    }

    @Test("fails to build when the probe fails")
    func probeFailure() throws {
        try FakeProviderServer.run { fake in
            fake.enqueue(.error(status: 401, message: "bad key"), .json(#"{"data": []}"#), on: Path.openAIEmbeddings)
            let refused = #expect(throws: ProviderError.self) { try openAI(fake) }
            #expect(refused?.code == .authFailed)
            let empty = #expect(throws: ProviderError.self) { try openAI(fake) }
            #expect(empty?.code == .unavailable)
        }
    }

    @Test("rejects vectors of another dimension")
    func dimensionMismatch() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIEmbeddings(dimension: 16), on: Path.openAIEmbeddings)
            let embedder = try openAI(fake, dimensions: 8)
            #expect(throws: ProviderError(.unavailable, "openai/text-embedding-3-small returned 16 dimensions, expected 8")) {
                try embedder.embed("hello")
            }
        }
    }

    @Test("rejects an answer with a wrong number of embeddings or broken indexes", arguments: [
        #"{"data": [{"index": 0, "embedding": [1, 0]}]}"#,
        #"{"data": [{"index": 0, "embedding": [1, 0]}, {"index": 0, "embedding": [0, 1]}]}"#,
        #"{"data": [{"index": 0, "embedding": [1, "x"]}, {"index": 1, "embedding": [0, 1]}]}"#,
    ])
    func malformedAnswer(body: String) throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.json(body), on: Path.openAIEmbeddings)
            let error = #expect(throws: ProviderError.self) { try openAI(fake, dimensions: 2).embed(batch: ["a", "b"]) }
            #expect(error?.code == .unavailable)
        }
    }

    @Test("sends newlines as spaces and an empty text as one space")
    func preparesTexts() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.openAIEmbeddings(dimension: 4), on: Path.openAIEmbeddings)
            _ = try openAI(fake, dimensions: 4).embed(batch: ["line one\nline two\r\nthree", ""])
            #expect(fake.requests.first?.json["input"] as? [String] == ["line one line two three", " "])
        }
    }

    @Test("talks to an Azure embeddings deployment")
    func azure() throws {
        try FakeProviderServer.run { fake in
            let path = "/openai/deployments/emb/embeddings"
            fake.setFallback(.openAIEmbeddings(dimension: 4), on: path)
            let embedder = try RemoteEmbedder.openAI(
                provider: "azure_openai", model: "text-embedding-3-small",
                endpoint: .azure(endpoint: fake.baseURL, deployment: "emb", apiVersion: "2024-10-21", apiKey: "az"),
                client: TestClients.client())
            #expect(embedder.dimension == 4)
            let sent = try #require(fake.requests(on: path).first)
            #expect(sent.header("api-key") == "az")
            #expect(sent.queryValue("api-version") == "2024-10-21")
        }
    }

    @Test("calls Ollama's /api/embed with model and input list")
    func ollama() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.ollamaEmbed(dimension: 6), on: Path.ollamaEmbed)
            let embedder = try RemoteEmbedder.ollama(model: "nomic-embed-text", baseURL: fake.baseURL, client: TestClients.client())
            #expect(embedder.dimension == 6)
            #expect(embedder.modelID == "ollama/nomic-embed-text")
            let vectors = try embedder.embed(batch: ["tea", "coffee"])
            #expect(isClose(vectors[0], expected("tea", dimension: 6)))
            #expect(isClose(vectors[1], expected("coffee", dimension: 6)))
            let sent = try #require(fake.requests(on: Path.ollamaEmbed).last)
            #expect(sent.method == "POST")
            #expect(sent.header("Authorization") == nil)
            #expect(sent.json["model"] as? String == "nomic-embed-text")
            #expect(sent.json["input"] as? [String] == ["tea", "coffee"])
        }
    }

    @Test("estimates four UTF-8 bytes per token, at least one")
    func tokenEstimate() throws {
        try FakeProviderServer.run { fake in
            fake.setFallback(.ollamaEmbed(dimension: 2), on: Path.ollamaEmbed)
            let embedder = try RemoteEmbedder.ollama(model: "m", baseURL: fake.baseURL, client: TestClients.client(), dimension: 2)
            #expect(embedder.tokenCount(of: "") == 1)
            #expect(embedder.tokenCount(of: String(repeating: "a", count: 40)) == 10)
        }
    }

    @Test("normalises to unit length, keeps zero vectors, refuses non-finite values")
    func vectorMath() {
        #expect(VectorMath.normalized([3, 4]) == [0.6, 0.8])
        #expect(VectorMath.normalized([0, 0]) == [0, 0])
        #expect(VectorMath.normalized([1, .nan]) == nil)
        #expect(VectorMath.normalized([.infinity, 1]) == nil)
        #expect(VectorMath.normalized([Float.greatestFiniteMagnitude, Float.greatestFiniteMagnitude]) != nil)
    }
}
