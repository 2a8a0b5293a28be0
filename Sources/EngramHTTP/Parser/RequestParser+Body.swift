extension RequestParser {
    mutating func parseFixedBody(_ bytes: UnsafeBufferPointer<UInt8>, length: Int) -> Step {
        guard bytes.count - position >= length else { return .needMore }
        body = Array(bytes[position..<(position + length)])
        position += length
        scanFrom = position
        return .finished
    }

    /// `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1): 1 to 16 hex digits, extensions capped and ignored.
    mutating func parseChunkSize(_ bytes: UnsafeBufferPointer<UInt8>) -> Step {
        let tooLong = HTTPParseError(.badRequest, "Chunk line is longer than \(limits.maxChunkLineLength) bytes")
        let range: Range<Int>
        switch nextLine(bytes, limit: limits.maxChunkLineLength, tooLong: tooLong) {
        case .needMore: return .needMore
        case .failed(let error): return .failed(error)
        case .line(let line): range = line
        }
        guard let size = Self.parseChunkLine(UnsafeBufferPointer(rebasing: bytes[range])) else {
            return .failed(HTTPParseError(.badRequest, "Malformed chunk size"))
        }
        if size == 0 {
            stage = .trailers
            return .advanced
        }
        // Counted as it arrives: the de-chunked body may not exceed the limit.
        guard size <= UInt64(limits.maxBodySize - body.count) else {
            return .failed(HTTPParseError(.contentTooLarge, "Body is larger than \(limits.maxBodySize) bytes"))
        }
        stage = .chunkData(length: Int(size))
        return .advanced
    }

    /// The chunk size of a chunk line, or nil. Never `Int(_:radix:)`: it accepts `+` and `-`.
    static func parseChunkLine(_ line: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var size: UInt64 = 0
        var digits = 0
        var index = 0
        while index < line.count, let value = ByteClass.hexValue(line[index]) {
            digits += 1
            // §7.1: guard against overflow; 16 hex digits fill 64 bits.
            guard digits <= 16 else { return nil }
            size = size << 4 | UInt64(value)
            index += 1
        }
        guard digits > 0 else { return nil }
        if index == line.count { return size }
        // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): whitespace only before a ";".
        while index < line.count, line[index] == ByteClass.space || line[index] == ByteClass.tab { index += 1 }
        guard index < line.count, line[index] == UInt8(ascii: ";") else { return nil }
        guard line[index...].allSatisfy(ByteClass.isFieldValueByte) else { return nil }
        return size
    }

    mutating func parseChunkData(_ bytes: UnsafeBufferPointer<UInt8>, length: Int) -> Step {
        guard bytes.count - position >= length + 2 else { return .needMore }
        let end = position + length
        guard bytes[end] == ByteClass.cr, bytes[end + 1] == ByteClass.lf else {
            return .failed(HTTPParseError(.badRequest, "Chunk data is not followed by CRLF"))
        }
        body.append(contentsOf: bytes[position..<end])
        position = end + 2
        scanFrom = position
        stage = .chunkSize
        return .advanced
    }

    /// Trailer fields are parsed with the header rules and limits, then dropped (RFC 9112 §7.1.2).
    mutating func parseTrailerLine(_ bytes: UnsafeBufferPointer<UInt8>) -> Step {
        let tooLong = HTTPParseError(
            .requestHeaderFieldsTooLarge, "A trailer line is longer than \(limits.maxHeaderLineLength) bytes")
        let range: Range<Int>
        switch nextLine(bytes, limit: limits.maxHeaderLineLength, tooLong: tooLong) {
        case .needMore: return .needMore
        case .failed(let error): return .failed(error)
        case .line(let line): range = line
        }
        if range.isEmpty { return .finished }
        if let error = countField(lineLength: range.count) { return .failed(error) }
        if case .failure(let error) = Self.parseField(UnsafeBufferPointer(rebasing: bytes[range])) {
            return .failed(error)
        }
        return .advanced
    }
}
