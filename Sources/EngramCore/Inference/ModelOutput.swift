import Foundation

/// Reading a model's answer, which is untrusted text: it may wrap the JSON in a code fence, think
/// aloud first (`<think>…</think>`), add prose around it, or leave trailing commas.
enum ModelOutput {
    /// The answer without reasoning blocks and code fences, trimmed.
    static func stripped(_ text: String) -> String {
        var text = text
        // Reasoning models: drop every <think>…</think>; an unclosed one means the answer never came.
        while let open = text.range(of: "<think>", options: .caseInsensitive) {
            if let close = text.range(of: "</think>", options: .caseInsensitive, range: open.upperBound..<text.endIndex) {
                text.removeSubrange(open.lowerBound..<close.upperBound)
            } else {
                text.removeSubrange(open.lowerBound..<text.endIndex)
            }
        }
        // A stray closing tag (the opening one was in the prompt's prefill): keep what follows it.
        if let close = text.range(of: "</think>", options: [.caseInsensitive, .backwards]) {
            text = String(text[close.upperBound...])
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeAll { $0.trimmingCharacters(in: .whitespaces).hasPrefix("```") }
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The first JSON object in the answer, tolerating prose around it and JSON5 laxities (trailing
    /// commas, single quotes, comments); nil when there is none.
    static func jsonObject(_ text: String) -> [String: JSONValue]? {
        let text = stripped(text)
        // Strict JSON first: Foundation's JSON5 reader rejects some valid JSON (a `\u0000` escape).
        let strict = JSONDecoder()
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        var candidates: [Substring] = []
        if let start = text.firstIndex(of: "{") {
            if let end = matchingBrace(in: text, from: start) { candidates.append(text[start...end]) }
            if let last = text.lastIndex(of: "}"), last > start { candidates.append(text[start...last]) }
        }
        for candidate in candidates {
            for reader in [strict, decoder] {
                if case .object(let object)? = try? reader.decode(JSONValue.self, from: Data(candidate.utf8)) { return object }
            }
        }
        return nil
    }

    /// The index of the `}` closing the `{` at `start`, skipping braces inside strings.
    private static func matchingBrace(in text: String, from start: String.Index) -> String.Index? {
        var depth = 0
        var quote: Character?
        var escaped = false
        var index = start
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "{" {
                depth += 1
            } else if character == "}" {
                depth -= 1
                if depth == 0 { return index }
            }
            index = text.index(after: index)
        }
        return nil
    }
}

/// One change the model asks for, with ids as the model saw them.
struct MemoryOperation: Equatable {
    enum Kind: String {
        case add = "ADD"
        case update = "UPDATE"
        case delete = "DELETE"
        case none = "NONE"
    }

    var kind: Kind
    var id: String?
    var text: String?
    /// The relations an ADD or UPDATE states (DESIGN.md "Graph").
    var relations: [RelationStatement] = []
    /// The categories the model filed the fact under (not yet checked against the project's).
    var categories: [String] = []
    /// Why relations of this operation were dropped (reported as warnings; they never fail the add).
    var droppedRelations: [String] = []
}

/// Why an answer was rejected; told to the model on the retry and logged, never shown to clients.
struct UnusableAnswer: Error, CustomStringConvertible {
    var description: String
}

extension MemoryOperation {
    /// Longest fact text accepted from a model.
    static let maxTextBytes = 2000

    /// The operations of an answer `{"operations": [...]}`. mem0's shapes are read too (`memory` for
    /// the list, `event` for `op`, `fact`/`memory` for `text`). An operation that breaks the schema
    /// rejects the whole answer, so the retry can fix it; unknown ids are the caller's to ignore.
    static func parse(_ answer: String) throws(UnusableAnswer) -> [MemoryOperation] {
        guard let object = ModelOutput.jsonObject(answer) else {
            throw UnusableAnswer(description: "the answer is not a JSON object")
        }
        guard case .array(let items)? = object["operations"] ?? object["memory"] ?? object["memories"] else {
            throw UnusableAnswer(description: "the object has no \"operations\" array")
        }
        var operations: [MemoryOperation] = []
        for (index, item) in items.enumerated() {
            guard case .object(let fields) = item else {
                throw UnusableAnswer(description: "operations[\(index)] is not an object")
            }
            guard case .string(let name)? = fields["op"] ?? fields["event"] ?? fields["operation"],
                  let kind = Kind(rawValue: name.trimmingCharacters(in: .whitespaces).uppercased())
            else {
                throw UnusableAnswer(description: "operations[\(index)].op must be one of ADD, UPDATE, DELETE, NONE")
            }
            let id: String? = switch fields["id"] {
            case .string(let value)?: value.trimmingCharacters(in: .whitespaces)
            case .number(let value)? where value.rounded() == value && abs(value) < 1e9: String(Int(value))
            default: nil
            }
            var text: String?
            if case .string(let value)? = fields["text"] ?? fields["fact"] ?? fields["memory"] {
                text = value.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            switch kind {
            case .add:
                guard let text, !text.isEmpty else { throw UnusableAnswer(description: "operations[\(index)] (ADD) needs a non-empty text") }
            case .update:
                guard id != nil, let text, !text.isEmpty else {
                    throw UnusableAnswer(description: "operations[\(index)] (UPDATE) needs an id and a non-empty text")
                }
            case .delete:
                guard id != nil else { throw UnusableAnswer(description: "operations[\(index)] (DELETE) needs an id") }
            case .none:
                break
            }
            if let text, text.utf8.count > maxTextBytes || text.utf8.contains(0) {
                throw UnusableAnswer(description: "operations[\(index)].text is longer than \(maxTextBytes) bytes or has NUL")
            }
            var operation = MemoryOperation(kind: kind, id: id, text: text)
            if kind == .add || kind == .update, let value = fields["relations"] {
                (operation.relations, operation.droppedRelations) = relations(value, at: index)
            }
            // Categories are advice: anything but a list of short strings is ignored (the caller keeps
            // only the project's category names).
            if kind == .add || kind == .update, case .array(let names)? = fields["categories"] {
                operation.categories = CategoryList.normalised(names.prefix(8).compactMap(\.stringValue))
            }
            operations.append(operation)
        }
        return operations
    }

    /// Most relations read from one operation.
    static let maxRelations = 32

    /// The usable relations of an operation's `relations` and a reason for each one dropped: not an
    /// object, a missing or unusable source, relationship or target, a bad `valid_at`.
    static func relations(_ value: JSONValue, at index: Int) -> ([RelationStatement], [String]) {
        guard case .array(let items) = value else {
            return ([], value == .null ? [] : ["operations[\(index)].relations is not a list; ignored"])
        }
        var statements: [RelationStatement] = []
        var dropped: [String] = []
        for (position, item) in items.enumerated() {
            let place = "operations[\(index)].relations[\(position)]"
            guard statements.count < maxRelations else {
                dropped.append("\(place) and later: more than \(maxRelations) relations in one operation; dropped")
                break
            }
            guard case .object(let fields) = item else {
                dropped.append("\(place) is not an object; dropped")
                continue
            }
            func text(_ name: String) -> String? {
                if case .string(let value)? = fields[name] { return value }
                return nil
            }
            guard let source = text("source").flatMap(EntityName.clean),
                  let target = (text("target") ?? text("destination")).flatMap(EntityName.clean)
            else {
                dropped.append("\(place) needs a source and a target of at most \(EntityName.maxBytes) bytes without control characters; dropped")
                continue
            }
            guard let relationship = text("relationship").flatMap(EntityName.relationship) else {
                dropped.append("\(place) needs a relationship of letters or digits, at most \(EntityName.maxRelationshipBytes) bytes; dropped")
                continue
            }
            var validAt: Date?
            if let stated = text("valid_at"), !stated.isEmpty {
                guard let date = DateText.parse(stated) else {
                    dropped.append("\(place).valid_at is not an ISO-8601 date or date-time; dropped")
                    continue
                }
                validAt = date
            }
            func type(_ name: String) -> String {
                text(name).flatMap(EntityName.relationship) ?? "entity"
            }
            let fact = text("fact").flatMap { $0.utf8.count <= maxTextBytes && !$0.utf8.contains(0) ? $0 : nil }
            statements.append(RelationStatement(
                source: EntityMention(name: source, type: type("source_type")), relationship: relationship,
                target: EntityMention(name: target, type: type("target_type")), fact: fact, validAt: validAt, origin: .llm))
        }
        return (statements, dropped)
    }
}
