#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The items of an import file, one at a time: JSON Lines (an export, or mem0 records one per line),
/// or one JSON document (an array of records, or an object holding them under `results` or
/// `memories`, as mem0's `get_all` and platform exports return them). `-` reads standard input.
public final class ArchiveReader {
    /// Where an item was: `line N` in JSON Lines, `item N` in a JSON document.
    public struct Item {
        public var label: String
        public var value: Result<JSONValue, ArchiveError>
    }

    let path: String

    public init(path: String) throws(ArchiveError) {
        self.path = path
        if path != "-" {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw ArchiveError("cannot read '\(path)': no such file")
            }
        }
    }

    /// How many items a JSON Lines file holds (non-blank lines, the header included), counted by a
    /// fast pass over the bytes; nil for standard input.
    public func estimatedCount() -> Int? {
        guard path != "-", let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var lines = 0
        var sawContent = false
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            for byte in buffer[0..<count] {
                if byte == 0x0A {
                    if sawContent { lines += 1 }
                    sawContent = false
                } else if byte != 0x20, byte != 0x0D, byte != 0x09 {
                    sawContent = true
                }
            }
        }
        return lines + (sawContent ? 1 : 0)
    }

    /// Calls `body` with every item in order.
    public func forEach(_ body: (Item) throws -> Void) throws {
        guard let file = path == "-" ? fdopen(STDIN_FILENO, "rb") : fopen(path, "rb") else { throw ArchiveError("cannot open '\(path)'") }
        defer { if path != "-" { fclose(file) } }
        var linePointer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(linePointer) }
        var number = 0
        func nextLine() -> [UInt8]? {
            let length = getline(&linePointer, &capacity, file)
            guard length >= 0, let linePointer else { return nil }
            number += 1
            return linePointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        }
        func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
            var slice = bytes[...]
            while let first = slice.first, [0x20, 0x09, 0x0D, 0x0A].contains(first) { slice = slice.dropFirst() }
            while let last = slice.last, [0x20, 0x09, 0x0D, 0x0A].contains(last) { slice = slice.dropLast() }
            // A UTF-8 byte order mark is not part of the JSON.
            if slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
            return slice
        }
        // The first non-blank line tells the shape: a whole object on one line is JSON Lines.
        var first: [UInt8]?
        var firstNumber = 0
        while let line = nextLine() {
            let content = trimmed(line)
            if content.isEmpty { continue }
            first = Array(content)
            firstNumber = number
            break
        }
        guard let first else { return }
        if first.first == UInt8(ascii: "{"), let value = JSONValue.parse(first), case .object(let object) = value,
           (object["results"] == nil && object["memories"] == nil) || object["memory"] != nil {
            try body(Item(label: "line \(firstNumber)", value: .success(value)))
            while let line = nextLine() {
                let content = trimmed(line)
                if content.isEmpty { continue }
                let label = "line \(number)"
                if let parsed = JSONValue.parse(Array(content)) {
                    try body(Item(label: label, value: .success(parsed)))
                } else {
                    try body(Item(label: label, value: .failure(ArchiveError("not valid JSON"))))
                }
            }
            return
        }
        // One JSON document: read it whole (its lines kept, in case it is JSON Lines whose first line is bad).
        var document = first
        document.append(0x0A)
        var lines: [(number: Int, bytes: [UInt8])] = [(firstNumber, first)]
        while let line = nextLine() {
            document += line
            lines.append((number, line))
        }
        guard let value = JSONValue.parse(Array(trimmed(document))) else {
            guard first.first == UInt8(ascii: "{"), lines.count > 1 else {
                throw ArchiveError("'\(path)' is neither JSON Lines nor a JSON document (line \(firstNumber) is not a complete JSON object)")
            }
            for (number, line) in lines {
                let content = trimmed(line)
                if content.isEmpty { continue }
                let parsed = JSONValue.parse(Array(content))
                try body(Item(label: "line \(number)", value: parsed.map { .success($0) } ?? .failure(ArchiveError("not valid JSON"))))
            }
            return
        }
        let items: [JSONValue]
        switch value {
        case .array(let list): items = list
        case .object(let object):
            if case .array(let list)? = object["results"] {
                items = list
            } else if case .array(let list)? = object["memories"] {
                items = list
            } else {
                items = [value]
            }
        default:
            throw ArchiveError("'\(path)' holds a JSON \(value.typeName), not records")
        }
        for (index, item) in items.enumerated() {
            try body(Item(label: "item \(index + 1)", value: .success(item)))
        }
    }
}
