import EngramCore
import EngramHTTP
import Foundation
import Logging
import Synchronization

struct InferenceBenchmarkOptions {
    var memories = 10_000
    var adds = 200
    /// `inference` (adds) or `proxy` (chat proxy requests, `adds` of them, streamed).
    var mode = "inference"
    var warmup = 10
    var modelDirectory = ProcessInfo.processInfo.environment["ENGRAM_MODEL_DIR"] ?? "models/all-MiniLM-L6-v2"
    /// As `engram serve` runs the local embedder: one lane per core, one thread per product.
    var lanes = ProcessInfo.processInfo.activeProcessorCount
    var embedThreads = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)  // as `engram serve`

    init(_ arguments: ArraySlice<String>) throws {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw BenchError("\(flag) needs a value") }
            switch flag {
            case "--memories": memories = Int(value) ?? memories
            case "--adds", "--requests": adds = Int(value) ?? adds
            case "--mode": mode = value
            case "--warmup": warmup = Int(value) ?? warmup
            case "--model-dir": modelDirectory = value
            case "--lanes": lanes = Int(value) ?? lanes
            case "--embed-threads": embedThreads = Int(value) ?? embedThreads
            default: throw BenchError("unknown option \(flag); known: --mode --memories --adds (--requests) --warmup --model-dir --lanes --embed-threads")
            }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// An OpenAI-compatible chat endpoint that answers at once: one ADD with the last user message as
/// the fact, or (a streamed request, the chat proxy's) a short streamed answer. It records the size of
/// each prompt and how many existing memories it was shown.
final class FakeModel: Sendable {
    let promptBytes = Mutex<[Int]>([])
    let shownMemories = Mutex<[Int]>([])

    func router(logger: Logger) -> Router {
        var router = Router(logger: logger)
        router.add(.post, "/v1/chat/completions") { [self] request in
            let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
            if body["stream"] as? Bool == true { return Self.streamedAnswer }
            let messages = body["messages"] as? [[String: Any]] ?? []
            let user = messages.last?["content"] as? String ?? ""
            promptBytes.withLock { $0.append(messages.reduce(0) { $0 + (($1["content"] as? String)?.utf8.count ?? 0) }) }
            if let start = user.range(of: "Existing memories:\n"), let end = user.range(of: "\n\nNew messages:") {
                let json = Data(user[start.upperBound..<end.lowerBound].utf8)
                let shown = (try? JSONSerialization.jsonObject(with: json)) as? [Any] ?? []
                shownMemories.withLock { $0.append(shown.count) }
            }
            let lastLine = user.split(separator: "\n").last { $0.hasPrefix("user: ") }.map { String($0.dropFirst(6)) } ?? "nothing"
            let answer = try JSONSerialization.data(withJSONObject: ["operations": [["op": "ADD", "text": "User said: \(lastLine)"]]])
            let completion: [String: Any] = [
                "id": "chatcmpl-bench", "object": "chat.completion", "model": "fake-model",
                "choices": [["index": 0, "message": ["role": "assistant", "content": String(decoding: answer, as: UTF8.self)], "finish_reason": "stop"]],
                "usage": ["prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0],
            ]
            return .json(bytes: Array(try JSONSerialization.data(withJSONObject: completion)))
        }
        return router
    }

    /// Three chunks and `[DONE]`, all written at once.
    static let streamedAnswer = HTTPResponse.eventStream { writer in
        for delta in [#"{"role":"assistant","content":""}"#, #"{"content":"Sounds fun."}"#, "{}"] {
            let chunk = #"{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":0,"model":"fake-model","choices":[{"index":0,"delta":\#(delta),"finish_reason":null}]}"#
            try writer.write(ServerSentEvent(data: chunk).bytes)
        }
        try writer.write(ServerSentEvent(data: "[DONE]").bytes)
    }
}

/// Deterministic synthetic facts and conversations.
enum Corpus {
    static let people = ["Maya", "Tom", "Ines", "Ravi", "Lena", "Omar", "Chen", "Sara", "Pablo", "Yuki"]
    static let things = ["hiking", "jazz", "sourdough", "chess", "kayaking", "pottery", "sci-fi novels", "ramen", "cycling", "birdwatching"]
    static let places = ["Lisbon", "Osaka", "Denver", "Nairobi", "Oslo", "Lima", "Hanoi", "Porto", "Austin", "Krakow"]

    static func facts(count: Int) -> [String] {
        (0..<count).map { index in
            let person = people[index % people.count], thing = things[(index / 10) % things.count]
            let place = places[(index / 100) % places.count]
            return "User's friend \(person) #\(index) enjoys \(thing) and visited \(place) in \(1990 + index % 35)."
        }
    }

    static func conversations(count: Int) -> [[Message]] {
        (0..<count).map { index in
            let thing = things[index % things.count], place = places[(index / 3) % places.count]
            return [
                Message(role: "user", content: "Last weekend I tried \(thing) for the first time in \(place), session \(index)."),
                Message(role: "assistant", content: "That sounds fun! How did it go?"),
                Message(role: "user", content: "Really well, I want to do it again next month with my sister."),
            ]
        }
    }
}

/// One keep-alive connection to the API.
final class BenchClient {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw BenchError("cannot connect to the API") }
    }

    deinit { close(descriptor) }

    func post(_ path: String, body: Data) throws -> (Int, String) {
        try write(path, body: body)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { throw BenchError("connection closed") }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound].lowercased()
            guard let lengthLine = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                  let length = Int(lengthLine.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            else { throw BenchError("no content-length") }
            let headBytes = text[..<headEnd.upperBound].utf8.count
            guard received.count >= headBytes + length else { continue }
            let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            return (status, String(decoding: received[headBytes..<(headBytes + length)], as: UTF8.self))
        }
    }

    /// Posts a streamed request and reads the chunked answer to its end; returns the milliseconds from
    /// sending to the arrival of the first body byte (the first token's chunk).
    func postUntilFirstChunk(_ path: String, body: Data) throws -> Double {
        let started = DispatchTime.now().uptimeNanoseconds
        try write(path, body: body)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var firstChunk: Double?
        let terminator = Array("\r\n\r\n".utf8)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { throw BenchError("connection closed") }
            received += buffer[0..<count]
            guard let headEnd = received.firstRange(of: terminator) else { continue }
            guard String(decoding: received[..<headEnd.lowerBound], as: UTF8.self).hasPrefix("HTTP/1.1 200") else {
                throw BenchError("the stream answered \(String(decoding: received, as: UTF8.self))")
            }
            if firstChunk == nil, received.count > headEnd.upperBound {
                firstChunk = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            }
            if received.count > headEnd.upperBound, received.suffix(5).elementsEqual(Array("0\r\n\r\n".utf8)) {
                return firstChunk ?? 0
            }
        }
    }

    private func write(_ path: String, body: Data) throws {
        var request = Data("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        request.append(body)
        try request.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                guard sent > 0 else { throw BenchError("send failed") }
                offset += sent
            }
        }
    }
}
