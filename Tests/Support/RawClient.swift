import Foundation
import Glibc

/// A blocking TCP client on 127.0.0.1 that sends exact bytes and reads raw responses, for the live
/// protocol tests.
public final class RawClient {
    public struct Response {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public enum ClientError: Error {
        case connectFailed(Int32)
        case timedOut
        case closed
        case malformed(String)
        case failed(String, Int32)
    }

    public let descriptor: Int32
    private var buffer: [UInt8] = []

    public init(port: Int, receiveBuffer: Int32? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // No close here on failure: a class whose initializer throws after every property is set is
        // still deinitialised, and deinit closes the descriptor. Closing it twice could close a
        // descriptor another thread has just been given the same number for.
        guard descriptor >= 0, status == 0 else { throw ClientError.connectFailed(errno) }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { throw ClientError.failed("send", errno) }
            offset += sent
        }
    }

    /// Closes the write side (a half-close), keeping the read side open.
    public func shutdownWrite() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill(timeout: Duration) throws -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var ready = poll(&entry, 1, milliseconds)
        while ready < 0, errno == EINTR { ready = poll(&entry, 1, milliseconds) }
        guard ready > 0 else { throw ClientError.timedOut }
        var chunk = [UInt8](repeating: 0, count: 65536)
        var count = recv(descriptor, &chunk, chunk.count, 0)
        while count < 0, errno == EINTR { count = recv(descriptor, &chunk, chunk.count, 0) }
        if count == 0 { return false }
        if count < 0 { throw ClientError.failed("recv", errno) }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Reads one response: Content-Length framed, chunked, or (without either, on a closing
    /// connection) up to the end of the stream; no body for HEAD or 1xx/204/304.
    public func readResponse(timeout: Duration = .seconds(5), head: Bool = false) throws -> Response {
        var response = try readHead(timeout: timeout)
        if head || response.status < 200 || response.status == 204 || response.status == 304 { return response }
        if response.header("transfer-encoding")?.lowercased() == "chunked" {
            while let chunk = try readChunk(timeout: timeout) { response.body += chunk }
        } else if let length = response.header("content-length").flatMap({ Int($0) }) {
            while buffer.count < length {
                guard try fill(timeout: timeout) else { throw ClientError.closed }
            }
            response.body = Array(buffer[..<length])
            buffer.removeFirst(length)
        } else {
            while try fill(timeout: timeout) {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    /// Reads the status line and header section of the next response, leaving its body unread.
    public func readHead(timeout: Duration = .seconds(5)) throws -> Response {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            if let range = buffer.firstRange(of: terminator) {
                headEnd = range.upperBound
            } else if try !fill(timeout: timeout) {
                throw ClientError.closed
            }
        }
        let headText = String(decoding: buffer[..<(headEnd! - 4)], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError.malformed(headText) }
        let headers: [(String, String)] = lines.map { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : "")
        }
        buffer.removeFirst(headEnd!)
        return Response(status: status, headers: headers, body: [])
    }

    /// Reads the next chunk of a chunked body: its bytes, or nil for the last chunk (whose empty
    /// trailer section is consumed too). Throws `closed` when the connection ends mid-body.
    public func readChunk(timeout: Duration = .seconds(5)) throws -> [UInt8]? {
        let lineEnd = try readLine(timeout: timeout)
        let sizeText = String(decoding: lineEnd, as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
        guard let size = Int(sizeText, radix: 16), size >= 0 else { throw ClientError.malformed("chunk size \(sizeText)") }
        if size == 0 {
            while try !readLine(timeout: timeout).isEmpty {}
            return nil
        }
        while buffer.count < size + 2 {
            guard try fill(timeout: timeout) else { throw ClientError.closed }
        }
        let chunk = Array(buffer[..<size])
        guard buffer[size] == 13, buffer[size + 1] == 10 else { throw ClientError.malformed("chunk without CRLF") }
        buffer.removeFirst(size + 2)
        return chunk
    }

    /// One CRLF-terminated line, without the CRLF.
    private func readLine(timeout: Duration) throws -> [UInt8] {
        while true {
            if let range = buffer.firstRange(of: [13, 10]) {
                let line = Array(buffer[..<range.lowerBound])
                buffer.removeFirst(range.upperBound)
                return line
            }
            guard try fill(timeout: timeout) else { throw ClientError.closed }
        }
    }

    /// Whether the server closes the connection within `timeout` (reading and dropping anything sent).
    public func closesWithin(_ timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            do {
                if try !fill(timeout: .milliseconds(50)) { return true }
            } catch ClientError.timedOut {
                continue
            } catch {
                return true
            }
        }
        return false
    }

    /// Bytes received but not yet read as a response.
    public var pending: [UInt8] { buffer }
}

extension RawClient {
    /// Sends one request on a fresh connection and reads the response.
    public static func request(
        port: Int, _ method: String, _ target: String, body: String? = nil, headers: [String: String] = [:]
    ) throws -> Response {
        let client = try RawClient(port: port)
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        let bytes = Array((body ?? "").utf8)
        if body != nil {
            head += "Content-Type: application/json\r\nContent-Length: \(bytes.count)\r\n"
        }
        try client.send(Array((head + "\r\n").utf8) + bytes)
        return try client.readResponse(timeout: .seconds(30), head: method == "HEAD")
    }
}

extension RawClient.Response {
    /// The body parsed as JSON (Foundation types), or nil.
    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }

    /// The body as a JSON object.
    public var object: [String: Any] { json as? [String: Any] ?? [:] }

    /// `results` of the body as a list of objects.
    public var results: [[String: Any]] { object["results"] as? [[String: Any]] ?? [] }
}
