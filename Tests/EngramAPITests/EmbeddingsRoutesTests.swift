import EngramAPI
import EngramCore
import EngramEmbedding
import EngramHTTP
import Foundation
import Logging
import Testing

/// `POST /v1/embeddings` over real HTTP, through the router `engram serve` uses.
@Suite("Embeddings route")
struct EmbeddingsRoutesTests {
    /// A predictable embedder: component 0 is the text's length, component 1 its index in the call.
    struct CountingEmbedder: Embedder {
        let modelID = "sentence-transformers/all-MiniLM-L6-v2"
        let dimension = 3

        func embed(_ text: String) -> [Float] { [Float(text.count), 0, 1] }

        func embed(batch texts: [String]) -> [[Float]] {
            texts.enumerated().map { index, text in [Float(text.count), Float(index), 1] }
        }

        func tokenCount(of text: String) -> Int { text.split(separator: " ").count + 2 }
    }

    /// A response: status code and decoded JSON body.
    struct Reply {
        let status: Int
        let json: Any?
    }

    /// Starts a server on a free port with `embedder`, POSTs each body to /v1/embeddings with curl.
    private func post(_ bodies: [String], embedder: any Embedder = CountingEmbedder()) throws -> [Reply] {
        try APIHarness.run(embedder: embedder) { api in
            try replies(to: bodies, port: api.port)
        }
    }

    private func replies(to bodies: [String], port: Int) throws -> [Reply] {
        return try bodies.map { body in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "curl", "--silent", "--max-time", "10", "--header", "Content-Type: application/json",
                "--data-binary", "@-", "--write-out", "\n%{http_code}", "http://127.0.0.1:\(port)/v1/embeddings",
            ]
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            input.fileHandleForWriting.write(Data(body.utf8))
            try input.fileHandleForWriting.close()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let payload = lines.dropLast().joined(separator: "\n")
            return Reply(
                status: Int(lines.last ?? "") ?? 0,
                json: try? JSONSerialization.jsonObject(with: Data(payload.utf8), options: [.fragmentsAllowed])
            )
        }
    }

    @Test("a string or an array of strings gets OpenAI's list of embeddings, in order, with usage")
    func embedsInOpenAIShape() throws {
        let replies = try post([
            #"{"input": "hello world", "model": "sentence-transformers/all-MiniLM-L6-v2"}"#,
            #"{"input": ["a", "bcd", ""], "model": "all-MiniLM-L6-v2", "encoding_format": "float"}"#,
        ])
        #expect(replies.map(\.status) == [200, 200])
        let single = try #require(replies[0].json as? [String: Any])
        #expect(single["object"] as? String == "list")
        #expect(single["model"] as? String == "sentence-transformers/all-MiniLM-L6-v2")
        let usage = try #require(single["usage"] as? [String: Any])
        #expect(usage["prompt_tokens"] as? Int == 4 && usage["total_tokens"] as? Int == 4)
        let batch = try #require((replies[1].json as? [String: Any])?["data"] as? [[String: Any]])
        #expect(batch.map { $0["object"] as? String } == ["embedding", "embedding", "embedding"])
        #expect(batch.map { $0["index"] as? Int } == [0, 1, 2])
        #expect(batch.map { ($0["embedding"] as? [Double])?.first } == [1, 3, 0])
    }

    @Test("base64 encoding carries the little-endian float32 bytes")
    func base64Encoding() throws {
        let reply = try #require(try post([#"{"input": ["abcd", "x"], "encoding_format": "base64"}"#]).first)
        #expect(reply.status == 200)
        let data = try #require((reply.json as? [String: Any])?["data"] as? [[String: Any]])
        let encoded = try #require(data.last?["embedding"] as? String)
        let bytes = try #require(Data(base64Encoded: encoded))
        let floats = stride(from: 0, to: bytes.count, by: 4).map { offset in
            Float(bitPattern: bytes[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) })
        }
        #expect(floats == [1, 1, 1])
    }

    @Test("malformed JSON is 400 with a detail message")
    func malformedJSON() throws {
        let replies = try post([#"{"input": "#, "not json"])
        #expect(replies.map(\.status) == [400, 400])
        #expect(replies.map { ($0.json as? [String: Any])?["detail"] as? String } == ["Malformed JSON body", "Malformed JSON body"])
    }

    @Test("a body of the wrong shape is 422 with one located issue per problem")
    func wrongShape() throws {
        let replies = try post([
            #"{}"#,
            #"{"input": ["ok", 3, ["x"]]}"#,
            #"{"input": []}"#,
            #"{"input": 42, "model": "text-embedding-3-small", "encoding_format": "hex", "dimensions": 1536}"#,
            #"["input"]"#,
        ])
        #expect(replies.map(\.status) == [422, 422, 422, 422, 422])
        func issues(_ reply: Reply) -> [[String: Any]] {
            (reply.json as? [String: Any])?["detail"] as? [[String: Any]] ?? []
        }
        func locations(_ reply: Reply) -> [String] {
            issues(reply).map { ($0["loc"] as? [Any] ?? []).map { "\($0)" }.joined(separator: ".") }
        }
        #expect(locations(replies[0]) == ["body.input"])
        #expect(issues(replies[0]).first?["type"] as? String == "missing")
        #expect(locations(replies[1]) == ["body.input.1", "body.input.2"])
        #expect(issues(replies[2]).first?["type"] as? String == "too_short")
        #expect(locations(replies[3]) == ["body.input", "body.model", "body.encoding_format", "body.dimensions"])
        #expect(issues(replies[3]).allSatisfy { $0["msg"] is String && $0["type"] is String })
        #expect(locations(replies[4]) == ["body"])
    }

    @Test("the real embedder answers with the reference vector of all-MiniLM-L6-v2")
    func realEmbedderMatchesReference() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let directory = ProcessInfo.processInfo.environment["ENGRAM_MODEL_DIR"].map {
            URL(fileURLWithPath: $0, relativeTo: root).path
        } ?? root.appendingPathComponent(LocalEmbedder.Configuration.defaultModelDirectory).path
        let embedder = try LocalEmbedder(configuration: .init(modelDirectory: directory))
        let reply = try #require(try post([#"{"input": ["hello world"]}"#], embedder: embedder).first)
        #expect(reply.status == 200)
        let data = try #require((reply.json as? [String: Any])?["data"] as? [[String: Any]])
        let vector = try #require(data.first?["embedding"] as? [Double])
        let fixture = root.appendingPathComponent("Tests/Fixtures/minilm-reference.json")
        let cases = try #require(
            (try JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as? [String: Any])?["cases"] as? [[String: Any]]
        )
        let expected = try #require(cases.first { $0["text"] as? String == "hello world" }?["embedding"] as? [Double])
        #expect(vector.count == 384)
        let dot = zip(vector, expected).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(dot > 0.9999)
        let usage = (reply.json as? [String: Any])?["usage"] as? [String: Any]
        #expect(usage?["prompt_tokens"] as? Int == 4)
    }
}
