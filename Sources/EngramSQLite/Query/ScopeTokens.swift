import EngramCore

/// The scope tokens of the FTS index's `scope` column: one token per scope id a memory has, so a keyword
/// search whose filter pins the scope can intersect the posting lists of its words with the scope's
/// before ranking, and pay for the matches inside the scope rather than the whole project's.
///
/// A token is a field letter (`u`, `a`, `r`), the project's UTF-8 bytes in hex, `x`, the id's UTF-8
/// bytes in hex, and `0`: letters and digits only, so the FTS tokenizer keeps it whole whatever the id
/// holds (quotes, spaces, unicode, SQL), and ending in a digit, which the porter stemmer never strips.
/// Hex is exact, so distinct scopes never share a token; the search keeps its SQL scope condition all
/// the same, so its results never depend on the tokens. Migration `0003` computes the same tokens in SQL
/// (`hex()`, which is uppercase like `hex(_:)` here; the tokenizer folds case anyway).
enum ScopeTokens {
    /// The token of `id` in `field` of `project`, or nil for fields that are not scope ids.
    static func token(_ field: MemoryField, id: String, project: String) -> String? {
        let letter: String
        switch field {
        case .userID: letter = "u"
        case .agentID: letter = "a"
        case .runID: letter = "r"
        default: return nil
        }
        return letter + hex(project) + "x" + hex(id) + "0"
    }

    /// The tokens every memory matching `filter` has: those of the scope ids the filter requires by
    /// equality (`eq` with a string, at the top or inside nested `AND`s), in order, without repeats.
    /// Any other shape pins nothing.
    static func pinned(by filter: Filter, project: String) -> [String] {
        var tokens: [String] = []
        collect(filter, project: project, into: &tokens)
        return tokens
    }

    private static func collect(_ filter: Filter, project: String, into tokens: inout [String]) {
        switch filter {
        case .and(let children):
            for child in children { collect(child, project: project, into: &tokens) }
        case .compare(.field(let field), .eq, .string(let id)):
            if let token = token(field, id: id, project: project), !tokens.contains(token) { tokens.append(token) }
        default:
            break
        }
    }

    /// Uppercase hex of the UTF-8 bytes of `text`, as SQLite's `hex()` spells the value stored for it:
    /// GRDB binds text up to its first NUL, so the bytes after one never reach the database.
    private static func hex(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 2)
        for byte in text.utf8.prefix(while: { $0 != 0 }) {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
