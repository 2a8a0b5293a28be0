import Foundation

/// Request ids for `X-Request-ID`: a client's id is echoed when it is safe to log and echo, otherwise
/// a fresh one is made.
enum RequestID {
    /// Longest accepted incoming id.
    static let maxLength = 128

    /// The client's id if it is 1–128 characters of letters, digits and `-_.:`; otherwise a new UUID.
    static func resolve(_ incoming: String?) -> String {
        if let incoming, isValid(incoming) { return incoming }
        return UUID().uuidString.lowercased()
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
