import Synchronization

/// Request ids for `X-Request-ID`: a client's id is echoed when it is safe to log and echo, otherwise
/// a fresh one is made: 16 hex digits drawn at random when the process starts, then 16 of a counter.
/// Unique within the process and, with overwhelming probability, across processes — without a random
/// draw per request.
enum RequestID {
    /// Longest accepted incoming id.
    static let maxLength = 128

    private static let prefix: String = {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }()

    private static let counter = Atomic<UInt64>(0)

    /// The client's id if it is 1–128 characters of letters, digits and `-_.:`; otherwise a new one.
    static func resolve(_ incoming: String?) -> String {
        if let incoming, isValid(incoming) { return incoming }
        return next()
    }

    /// A new id.
    static func next() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let hex = String(count, radix: 16)
        return prefix + String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func isValid(_ id: String) -> Bool {
        let bytes = id.utf8
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
        }
    }
}
