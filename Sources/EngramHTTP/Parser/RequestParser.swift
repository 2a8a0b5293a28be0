/// An incremental, pure HTTP/1.1 request parser.
///
/// Feed it the bytes received so far for the current request, from the request's first byte; it resumes
/// where it stopped and answers `.needMore`, `.complete(request, consumed:)` or `.error`. It does no I/O,
/// so every rule is tested with plain byte strings, whole or one byte at a time. After `.complete` the
/// caller drops `consumed` bytes (what follows is the next pipelined request) and the parser starts over.
///
/// It is strict by design (RFC 9112 §11.2: smuggling feeds on lenient parsers): CRLF line endings only,
/// no obs-fold, token-only header names, digits-only `Content-Length`, hex-only chunk sizes, and every
/// size limit enforced before the bytes that exceed it are buffered.
public struct RequestParser: Sendable {
    /// The outcome of one call to `parse`.
    public enum Result: Sendable {
        /// The request is incomplete; call again when more bytes have arrived.
        case needMore
        /// A whole request was parsed from the first `consumed` bytes.
        case complete(HTTPRequest, consumed: Int)
        /// The bytes are not an acceptable request; answer with the error's status and close.
        case error(HTTPParseError)
    }

    enum Stage: Sendable {
        case requestLine
        case headers
        case body(length: Int)
        case chunkSize
        case chunkData(length: Int)
        case trailers
    }

    struct RequestLine: Sendable {
        var method: HTTPMethod
        var target: String
        var path: String
        var query: String?
        var version: HTTPVersion
    }

    /// The limits enforced.
    public let limits: ParserLimits

    var stage: Stage = .requestLine
    /// Offset of the first byte not yet parsed.
    var position = 0
    /// Offset where the search for the next line end resumes, so bytes are scanned once.
    var scanFrom = 0
    var emptyLinesSkipped = 0
    var requestLine: RequestLine?
    var fields = HTTPHeaders()
    var sectionSize = 0
    var fieldCount = 0
    var body: [UInt8] = []

    /// The head of the request whose body is being received, if the header section is complete.
    /// The server reads it to answer `Expect: 100-continue` before the body arrives.
    public internal(set) var pendingHead: HTTPRequestHead?

    /// Creates a parser enforcing `limits`.
    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
    }

    /// Whether the parser has consumed no byte of a request yet.
    public var isAtRequestStart: Bool {
        if case .requestLine = stage { return position == 0 && scanFrom == 0 }
        return false
    }

    /// Parses as far as `buffer` allows. `buffer` holds the current request from its first byte and only
    /// grows between calls until `.complete` or `.error`.
    public mutating func parse(_ buffer: [UInt8]) -> Result {
        let result = buffer.withUnsafeBufferPointer { parse(bytes: $0) }
        switch result {
        case .needMore: break
        case .complete, .error: self = RequestParser(limits: limits)
        }
        return result
    }

    private mutating func parse(bytes: UnsafeBufferPointer<UInt8>) -> Result {
        while true {
            let step: Step
            switch stage {
            case .requestLine: step = parseRequestLine(bytes)
            case .headers: step = parseHeaderLine(bytes)
            case .body(let length): step = parseFixedBody(bytes, length: length)
            case .chunkSize: step = parseChunkSize(bytes)
            case .chunkData(let length): step = parseChunkData(bytes, length: length)
            case .trailers: step = parseTrailerLine(bytes)
            }
            switch step {
            case .advanced: continue
            case .needMore: return .needMore
            case .failed(let error): return .error(error)
            case .finished:
                guard let head = pendingHead else {
                    return .error(HTTPParseError(.internalServerError, "Parser lost the request head"))
                }
                return .complete(HTTPRequest(head: head, body: body), consumed: position)
            }
        }
    }

    enum Step {
        case advanced
        case needMore
        case finished
        case failed(HTTPParseError)
    }

    enum Line {
        case line(Range<Int>)
        case needMore
        case failed(HTTPParseError)
    }

    /// Finds the next CRLF-terminated line starting at `position`, refusing bare CR and bare LF
    /// (RFC 9112 §2.2) and any line longer than `limit` as soon as it is longer.
    mutating func nextLine(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int, tooLong: HTTPParseError) -> Line {
        var index = scanFrom
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ByteClass.lf {
                return .failed(HTTPParseError(.badRequest, "Line ends with a bare LF; CRLF is required"))
            }
            if byte == ByteClass.cr {
                guard index + 1 < bytes.count else { break }
                guard bytes[index + 1] == ByteClass.lf else {
                    return .failed(HTTPParseError(.badRequest, "Bare CR in message"))
                }
                let line = position..<index
                position = index + 2
                scanFrom = position
                return .line(line)
            }
            index += 1
            if index - position > limit { return .failed(tooLong) }
        }
        scanFrom = index
        return .needMore
    }
}
