extension RequestParser {
    mutating func parseRequestLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Step {
        let tooLong = HTTPParseError(.uriTooLong, "Request line is longer than \(limits.maxRequestLineLength) bytes")
        let range: Range<Int>
        switch nextLine(bytes, limit: limits.maxRequestLineLength, tooLong: tooLong) {
        case .needMore: return .needMore
        case .failed(let error): return .failed(error)
        case .line(let line): range = line
        }
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.
        if range.isEmpty {
            emptyLinesSkipped += 1
            guard emptyLinesSkipped <= limits.maxLeadingEmptyLines else {
                return .failed(HTTPParseError(.badRequest, "Too many empty lines before the request line"))
            }
            return .advanced
        }
        switch Self.parseRequestLine(UnsafeBufferPointer(rebasing: bytes[range])) {
        case .success(let line):
            requestLine = line
            stage = .headers
            return .advanced
        case .failure(let error):
            return .failed(error)
        }
    }

    /// Parses `method SP request-target SP HTTP-version` (RFC 9112 §3), with single spaces only.
    static func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) -> Swift.Result<RequestLine, HTTPParseError> {
        let malformed = HTTPParseError(.badRequest, "Malformed request line")
        guard let firstSpace = line.firstIndex(of: ByteClass.space) else { return .failure(malformed) }
        let afterMethod = firstSpace + 1
        guard let secondSpace = line[afterMethod...].firstIndex(of: ByteClass.space) else { return .failure(malformed) }
        let methodBytes = line[..<firstSpace]
        let targetBytes = line[afterMethod..<secondSpace]
        let versionBytes = line[(secondSpace + 1)...]

        guard ByteClass.isToken(methodBytes) else { return .failure(HTTPParseError(.badRequest, "Malformed method")) }
        // RFC 9112 §3.2: no whitespace or control bytes inside the target; no autocorrection.
        guard !targetBytes.isEmpty, targetBytes.allSatisfy(ByteClass.isVisibleASCII),
              !targetBytes.contains(UInt8(ascii: "#"))
        else { return .failure(HTTPParseError(.badRequest, "Malformed request target")) }

        guard let version = parseVersion(versionBytes) else {
            return .failure(HTTPParseError(.badRequest, "Malformed HTTP version"))
        }
        // RFC 9110 §15.6.6: a major version we do not serve is 505.
        guard version == .http1_1 || version == .http1_0 else {
            return .failure(HTTPParseError(.httpVersionNotSupported, "Only HTTP/1.0 and HTTP/1.1 are supported"))
        }
        let method = HTTPMethod(rawValue: String(decoding: methodBytes, as: UTF8.self))
        // RFC 9110 §9.1: a method we do not implement is 501.
        guard HTTPMethod.implemented.contains(method) else {
            return .failure(HTTPParseError(.notImplemented, "Method \(method) is not implemented"))
        }
        let target = String(decoding: targetBytes, as: UTF8.self)
        guard let (path, query) = splitTarget(target, method: method) else {
            return .failure(HTTPParseError(.badRequest, "Malformed request target"))
        }
        return .success(RequestLine(method: method, target: target, path: path, query: query, version: version))
    }

    /// `HTTP/` DIGIT `.` DIGIT, exactly (RFC 9112 §2.3): `HTTP/1.`, `HTTP/1.32` and `http/1.1` are malformed.
    static func parseVersion(_ bytes: UnsafeBufferPointer<UInt8>.SubSequence) -> HTTPVersion? {
        let prefix = Array("HTTP/".utf8)
        guard bytes.count == 8, bytes.prefix(5).elementsEqual(prefix) else { return nil }
        let major = bytes[bytes.startIndex + 5]
        let dot = bytes[bytes.startIndex + 6]
        let minor = bytes[bytes.startIndex + 7]
        guard ByteClass.isDigit(major), dot == UInt8(ascii: "."), ByteClass.isDigit(minor) else { return nil }
        return HTTPVersion(major: Int(major - 0x30), minor: Int(minor - 0x30))
    }

    /// Splits a request-target into path and query. Accepts origin-form, absolute-form (RFC 9112 §3.2.2:
    /// a server MUST accept it) and `*` for OPTIONS.
    static func splitTarget(_ target: String, method: HTTPMethod) -> (path: String, query: String?)? {
        if target == "*" { return method == .options ? ("*", nil) : nil }
        var rest = Substring(target)
        if !rest.hasPrefix("/") {
            let lowered = rest.lowercased()
            let schemeLength: Int
            if lowered.hasPrefix("http://") {
                schemeLength = 7
            } else if lowered.hasPrefix("https://") {
                schemeLength = 8
            } else {
                return nil
            }
            let authorityAndPath = rest.dropFirst(schemeLength)
            guard let slash = authorityAndPath.firstIndex(where: { $0 == "/" || $0 == "?" }) else {
                return ("/", nil)
            }
            rest = authorityAndPath[slash...]
            if rest.hasPrefix("?") { rest = "/" + rest }
        }
        guard let mark = rest.firstIndex(of: "?") else { return (String(rest), nil) }
        return (String(rest[..<mark]), String(rest[rest.index(after: mark)...]))
    }

    mutating func parseHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Step {
        let tooLong = HTTPParseError(
            .requestHeaderFieldsTooLarge, "A header line is longer than \(limits.maxHeaderLineLength) bytes")
        let range: Range<Int>
        switch nextLine(bytes, limit: limits.maxHeaderLineLength, tooLong: tooLong) {
        case .needMore: return .needMore
        case .failed(let error): return .failed(error)
        case .line(let line): range = line
        }
        if range.isEmpty { return finishHead() }
        switch countField(lineLength: range.count) {
        case .some(let error): return .failed(error)
        case .none: break
        }
        switch Self.parseField(UnsafeBufferPointer(rebasing: bytes[range])) {
        case .success(let field):
            fields.add(name: field.name, value: field.value)
            return .advanced
        case .failure(let error):
            return .failed(error)
        }
    }

    /// Counts one field line against the section size and field count limits (RFC 9110 §5.4 → 431).
    mutating func countField(lineLength: Int) -> HTTPParseError? {
        fieldCount += 1
        sectionSize += lineLength + 2
        if fieldCount > limits.maxHeaderCount {
            return HTTPParseError(.requestHeaderFieldsTooLarge, "More than \(limits.maxHeaderCount) header fields")
        }
        if sectionSize > limits.maxHeaderSectionSize {
            return HTTPParseError(
                .requestHeaderFieldsTooLarge, "Header section is larger than \(limits.maxHeaderSectionSize) bytes")
        }
        return nil
    }

    /// Parses `field-name ":" OWS field-value OWS` (RFC 9112 §5).
    static func parseField(_ line: UnsafeBufferPointer<UInt8>) -> Swift.Result<(name: String, value: String), HTTPParseError> {
        // RFC 9112 §5.2: obs-fold (a line starting with whitespace) is rejected; so is whitespace
        // between the start line and the first field (§2.2).
        if line[0] == ByteClass.space || line[0] == ByteClass.tab {
            return .failure(HTTPParseError(.badRequest, "Header line starts with whitespace (obs-fold)"))
        }
        // RFC 9112 §5.1: no whitespace between name and colon; the name is a token.
        guard let colon = line.firstIndex(of: ByteClass.colon), colon > 0,
              line[..<colon].allSatisfy(ByteClass.isTokenByte)
        else { return .failure(HTTPParseError(.badRequest, "Malformed header field name")) }
        var start = colon + 1
        var end = line.count
        while start < end, line[start] == ByteClass.space || line[start] == ByteClass.tab { start += 1 }
        while end > start, line[end - 1] == ByteClass.space || line[end - 1] == ByteClass.tab { end -= 1 }
        let value = line[start..<end]
        // RFC 9110 §5.5: NUL, CR, LF and other controls are rejected, not replaced.
        guard value.allSatisfy(ByteClass.isFieldValueByte) else {
            return .failure(HTTPParseError(.badRequest, "Invalid character in header field value"))
        }
        return .success((String(decoding: line[..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self)))
    }
}
