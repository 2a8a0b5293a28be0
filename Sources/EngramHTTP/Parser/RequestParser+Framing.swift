extension RequestParser {
    /// Checks the complete header section and decides how the body is framed.
    mutating func finishHead() -> Step {
        guard let line = requestLine else {
            return .failed(HTTPParseError(.internalServerError, "Parser lost the request line"))
        }
        if let error = Self.checkHost(fields, version: line.version) { return .failed(error) }
        let framing: HTTPRequestHead.Framing
        switch Self.framing(of: fields, version: line.version, limits: limits) {
        case .success(let value): framing = value
        case .failure(let error): return .failed(error)
        }
        var expectsContinue = false
        // RFC 9110 §10.1.1: an HTTP/1.0 server ignores Expect; any expectation but 100-continue is 417.
        if line.version == .http1_1, fields.contains("expect") {
            guard fields.tokens(for: "expect") == ["100-continue"] else {
                return .failed(HTTPParseError(.expectationFailed, "Only the 100-continue expectation is supported"))
            }
            expectsContinue = true
        }
        // RFC 9112 §9.3: 1.1 persists unless `close`; 1.0 persists only with `keep-alive`.
        let connection = fields.tokens(for: "connection")
        let keepAlive = !connection.contains("close")
            && (line.version == .http1_1 || connection.contains("keep-alive"))
        let head = HTTPRequestHead(
            method: line.method, target: line.target, path: line.path, query: line.query,
            version: line.version, headers: fields, framing: framing,
            expectsContinue: expectsContinue, keepAlive: keepAlive)
        pendingHead = head
        switch framing {
        case .none, .length(0):
            return .finished
        case .length(let length):
            stage = .body(length: length)
        case .chunked:
            stage = .chunkSize
            sectionSize = 0
            fieldCount = 0
        }
        return .advanced
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; no request has two; the value is a valid
    /// `uri-host [ ":" port ]` (or empty).
    static func checkHost(_ fields: HTTPHeaders, version: HTTPVersion) -> HTTPParseError? {
        let hosts = fields.values(for: "host")
        if hosts.count > 1 { return HTTPParseError(.badRequest, "More than one Host header") }
        guard let host = hosts.first else {
            return version == .http1_1 ? HTTPParseError(.badRequest, "Missing Host header") : nil
        }
        guard host.utf8.allSatisfy(ByteClass.isHostByte) else { return HTTPParseError(.badRequest, "Invalid Host header") }
        return nil
    }

    /// Decides the body framing from Transfer-Encoding and Content-Length (RFC 9112 §6.1, §6.3).
    static func framing(
        of fields: HTTPHeaders, version: HTTPVersion, limits: ParserLimits
    ) -> Swift.Result<HTTPRequestHead.Framing, HTTPParseError> {
        let transferEncodings = fields.values(for: "transfer-encoding")
        let contentLengths = fields.values(for: "content-length")
        if !transferEncodings.isEmpty {
            // §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
            if version == .http1_0 {
                return .failure(HTTPParseError(.badRequest, "Transfer-Encoding is not allowed in HTTP/1.0"))
            }
            // §6.1: with both, the framing is ambiguous (CL.TE / TE.CL smuggling); reject and close.
            if !contentLengths.isEmpty {
                return .failure(HTTPParseError(.badRequest, "Both Content-Length and Transfer-Encoding"))
            }
            return transferCodingFraming(transferEncodings)
        }
        if contentLengths.isEmpty { return .success(.none) }
        guard let length = contentLength(contentLengths) else {
            return .failure(HTTPParseError(.badRequest, "Invalid Content-Length"))
        }
        // Checked before any of the body is read.
        guard length <= limits.maxBodySize else {
            return .failure(HTTPParseError(.contentTooLarge, "Body is larger than \(limits.maxBodySize) bytes"))
        }
        return .success(.length(length))
    }

    /// Only exactly `chunked` is served. An empty list element, a repeated `chunked` or a `chunked` that
    /// is not last is 400 (§6.3); any other coding is 501 (§6.1).
    static func transferCodingFraming(_ values: [String]) -> Swift.Result<HTTPRequestHead.Framing, HTTPParseError> {
        var codings: [String] = []
        for value in values {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                let coding = HTTPHeaders.fold(String(element).trimmingOWS())
                guard ByteClass.isToken(coding.utf8) else {
                    return .failure(HTTPParseError(.badRequest, "Malformed Transfer-Encoding"))
                }
                codings.append(coding)
            }
        }
        let chunkedCount = codings.filter { $0 == "chunked" }.count
        if chunkedCount > 1 || (chunkedCount == 1 && codings.last != "chunked") {
            return .failure(HTTPParseError(.badRequest, "chunked must be the final transfer coding, once"))
        }
        guard codings == ["chunked"] else {
            return .failure(HTTPParseError(.notImplemented, "Only the chunked transfer coding is supported"))
        }
        return .success(.chunked)
    }

    /// `1*DIGIT`, overflow-checked; repeated lines or list elements must all be the same number (§6.3).
    static func contentLength(_ values: [String]) -> Int? {
        var result: Int?
        for value in values {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let number = parseDecimal(String(element).trimmingOWS().utf8) else { return nil }
                if let result, result != number { return nil }
                result = number
            }
        }
        return result
    }

    /// Digits only: no sign, no spaces, no `0x`, not empty; nil on overflow (RFC 9110 §8.6).
    static func parseDecimal<C: Collection<UInt8>>(_ bytes: C) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard ByteClass.isDigit(byte) else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - 0x30))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }
}
