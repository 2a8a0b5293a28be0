import Foundation
import Synchronization
import Testing
@testable import EngramCore

/// Concurrent calls share batches, and every caller gets exactly its own vectors.
@Suite("Batching embedder")
struct BatchingEmbedderTests {
    /// Encodes each text's number in its vector and records batch sizes; slow enough for calls to queue.
    final class RecordingEmbedder: Embedder {
        let modelID = "recording"
        let dimension = 2
        let batches = Mutex<[Int]>([])

        func embed(_ text: String) throws -> [Float] { try embed(batch: [text])[0] }

        func embed(batch texts: [String]) throws -> [[Float]] {
            batches.withLock { $0.append(texts.count) }
            Thread.sleep(forTimeInterval: 0.01)
            return try texts.map { text in
                guard let number = Float(text) else { throw CocoaError(.coderInvalidValue) }
                return [number, -number]
            }
        }

        func tokenCount(of text: String) -> Int { 1 }
    }

    @Test("gives 16 concurrent callers their own vectors, in fewer batches than calls")
    func coalesces() throws {
        let inner = RecordingEmbedder()
        let batching = BatchingEmbedder(wrapping: inner, lanes: 2)
        defer { batching.stop() }
        let wrong = Atomic<Int>(0)
        let group = DispatchGroup()
        // Threads of their own, so the calls really overlap whatever the number of cores.
        for caller in 0..<16 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for round in 0..<4 {
                    let index = caller * 10 + round
                    let vectors = (try? batching.embed(batch: [String(index), String(index + 1000)])) ?? []
                    if vectors != [[Float(index), -Float(index)], [Float(index + 1000), -Float(index + 1000)]] {
                        wrong.add(1, ordering: .relaxed)
                    }
                }
            }
        }
        group.wait()
        #expect(wrong.load(ordering: .relaxed) == 0)
        let batches = inner.batches.withLock { $0 }
        #expect(batches.reduce(0, +) == 128)
        #expect(batches.count < 64)
    }

    @Test("passes the inner embedder's error to every caller of the failed batch, and only to them")
    func errors() throws {
        let batching = BatchingEmbedder(wrapping: RecordingEmbedder(), lanes: 1)
        defer { batching.stop() }
        #expect(throws: (any Error).self) { try batching.embed(batch: ["not a number"]) }
        #expect(try batching.embed("7") == [7, -7])
    }

    /// Embeds only once `gate` is signalled.
    final class GatedEmbedder: Embedder {
        let modelID = "gated"
        let dimension = 2
        let gate = DispatchSemaphore(value: 0)

        func embed(_ text: String) throws -> [Float] { try embed(batch: [text])[0] }

        func embed(batch texts: [String]) throws -> [[Float]] {
            gate.wait()
            return try texts.map { text in
                guard let number = Float(text) else { throw CocoaError(.coderInvalidValue) }
                return [number, -number]
            }
        }

        func tokenCount(of text: String) -> Int { 1 }
    }

    @Test("a started embedding returns before the vector exists, which arrives on wait; errors too; after stop it fails")
    func startsAhead() throws {
        let inner = GatedEmbedder()
        let batching = BatchingEmbedder(wrapping: inner, lanes: 1)
        let released = Atomic<Bool>(false)
        // A safety valve: an embedder computing on the caller's thread would block until this fires.
        DispatchQueue.global().asyncAfter(deadline: .now() + 5) {
            released.store(true, ordering: .relaxed)
            for _ in 0..<3 { inner.gate.signal() }
        }
        let pending = batching.startEmbedding("5")
        let releasedEarly = released.load(ordering: .relaxed)
        #expect(!releasedEarly)
        inner.gate.signal()
        #expect(try pending.wait() == [5, -5])
        let failing = batching.startEmbedding("five")
        inner.gate.signal()
        #expect(throws: (any Error).self) { try failing.wait() }
        batching.stop()
        #expect(throws: (any Error).self) { try batching.startEmbedding("1").wait() }
    }
}
