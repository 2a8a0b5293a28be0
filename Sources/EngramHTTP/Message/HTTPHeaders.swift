/// An ordered list of header fields with ASCII case-insensitive lookup.
///
/// Names are compared with ASCII case folding only: Unicode-aware folding would make `Tranſfer-Encoding`
/// equal `Transfer-Encoding`, the TE.TE smuggling shape (reference/swift-server-notes.md §1.4).
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// One field line: the name as received and its value with surrounding whitespace removed.
    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: String
        /// The name folded to ASCII lower case, used for lookup.
        let key: String
    }

    private var fields: [Field] = []

    /// Creates an empty header list.
    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name: name, value: value) }
    }

    /// The number of field lines.
    public var count: Int { fields.count }

    /// Appends a field line, keeping any earlier line of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value, key: Self.fold(name)))
    }

    /// Replaces every line of this name with a single one.
    public mutating func replace(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every line of this name.
    public mutating func remove(name: String) {
        let key = Self.fold(name)
        fields.removeAll { $0.key == key }
    }

    /// The value of the first line with this name, if any.
    public subscript(name: String) -> String? {
        let key = Self.fold(name)
        return fields.first { $0.key == key }?.value
    }

    /// The values of every line with this name, in order.
    public func values(for name: String) -> [String] {
        let key = Self.fold(name)
        return fields.filter { $0.key == key }.map(\.value)
    }

    /// Whether a line of this name is present.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// Lower-cases ASCII letters only.
    static func fold(_ name: String) -> String {
        var bytes = Array(name.utf8)
        var changed = false
        for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A {
            bytes[index] |= 0x20
            changed = true
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : name
    }
}

extension HTTPHeaders {
    /// The comma-separated tokens of every line with this name, trimmed and ASCII lower-cased
    /// (RFC 9110 §5.6.1), empty elements dropped.
    public func tokens(for name: String) -> [String] {
        values(for: name).flatMap { value in
            value.split(separator: ",").map { Self.fold(String($0).trimmingOWS()) }.filter { !$0.isEmpty }
        }
    }
}

extension String {
    /// The string without leading and trailing space and horizontal tab (OWS, RFC 9110 §5.6.3) — and
    /// nothing else: Foundation's whitespace set would also strip U+00A0 and U+0085.
    func trimmingOWS() -> String {
        let bytes = Array(utf8)
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
