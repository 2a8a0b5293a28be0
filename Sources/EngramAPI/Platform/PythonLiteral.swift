import EngramCore
import Foundation

/// Reads what Python prints for a dict of strings, numbers, booleans, None, lists and dicts (`str(d)`),
/// as some of mem0's client calls put it in a query string; JSON text is read as it is.
enum PythonLiteral {
    /// The value of `text`, nil when it is neither JSON nor such a literal.
    static func json(_ text: String) -> JSONValue? {
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) { return value }
        guard text.utf8.count <= 64 * 1024 else { return nil }
        var output = ""
        var characters = Array(text)[...]
        while let character = characters.first {
            characters = characters.dropFirst()
            switch character {
            case "'", "\"":
                // A Python string: its escapes as Python reads them, written as a JSON string.
                var value = ""
                var closed = false
                while let next = characters.first {
                    characters = characters.dropFirst()
                    if next == character { closed = true; break }
                    if next == "\\", let escaped = characters.first {
                        characters = characters.dropFirst()
                        switch escaped {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        case "r": value.append("\r")
                        default: value.append(escaped)
                        }
                    } else {
                        value.append(next)
                    }
                }
                guard closed, let encoded = try? JSONEncoder().encode(value) else { return nil }
                output += String(decoding: encoded, as: UTF8.self)
            case _ where character.isLetter:
                var word = String(character)
                while let next = characters.first, next.isLetter {
                    word.append(next)
                    characters = characters.dropFirst()
                }
                switch word {
                case "True": output += "true"
                case "False": output += "false"
                case "None": output += "null"
                default: return nil
                }
            default:
                output.append(character)
            }
        }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(output.utf8))
    }
}
