import EngramCore
import EngramHTTP
import Foundation

/// Reads a JSON object body field by field, collecting every shape problem so the client gets them all
/// in one 422. Malformed JSON is a 400.
struct JSONBody {
    let members: [String: JSONValue]
    private(set) var problems: [ValidationFailure.Issue] = []

    /// Parses the request body; an empty body reads as `{}` when `allowEmpty`.
    init(_ request: HTTPRequest, allowEmpty: Bool = false) throws {
        if request.body.isEmpty, allowEmpty {
            members = [:]
            return
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(request.body))
        } catch {
            throw HTTPError(.badRequest, "Malformed JSON body")
        }
        guard case .object(let object) = value else {
            throw ValidationFailure(issues: [.init(loc: [.key("body")], msg: "Input should be a JSON object", type: "model_attributes_type")])
        }
        members = object
    }

    /// A body already parsed (such as an object nested in another body).
    init(members: [String: JSONValue]) {
        self.members = members
    }

    mutating func problem(_ field: String, _ message: String, type: String) {
        problem(at: [.key(field)], message, type: type)
    }

    /// A problem at a nested location below the body, e.g. `messages`, 0, `role`.
    mutating func problem(at path: [ValidationFailure.Location], _ message: String, type: String) {
        problems.append(.init(loc: [.key("body")] + path, msg: message, type: type))
    }

    /// Present and not null.
    func has(_ field: String) -> Bool {
        guard let value = members[field] else { return false }
        return value != .null
    }

    /// Whether the key is present at all (even as null).
    func contains(_ field: String) -> Bool { members[field] != nil }

    mutating func string(_ field: String, required: Bool = false) -> String? {
        switch members[field] {
        case .none, .some(.null):
            if required { problem(field, "Field required", type: "missing") }
            return nil
        case .some(.string(let value)):
            return value
        case .some:
            problem(field, "Input should be a valid string", type: "string_type")
            return nil
        }
    }

    mutating func bool(_ field: String) -> Bool? {
        switch members[field] {
        case .none, .some(.null): return nil
        case .some(.bool(let value)): return value
        case .some:
            problem(field, "Input should be a valid boolean", type: "bool_type")
            return nil
        }
    }

    mutating func integer(_ field: String) -> Int? {
        switch members[field] {
        case .none, .some(.null): return nil
        case .some(.number(let value)) where value.rounded() == value && abs(value) < 1e15:
            return Int(value)
        case .some:
            problem(field, "Input should be a valid integer", type: "int_type")
            return nil
        }
    }

    mutating func number(_ field: String) -> Double? {
        switch members[field] {
        case .none, .some(.null): return nil
        case .some(.number(let value)): return value
        case .some:
            problem(field, "Input should be a valid number", type: "float_type")
            return nil
        }
    }

    mutating func object(_ field: String) -> [String: JSONValue]? {
        switch members[field] {
        case .none, .some(.null): return nil
        case .some(.object(let value)): return value
        case .some:
            problem(field, "Input should be a valid dictionary", type: "dict_type")
            return nil
        }
    }

    /// An ISO-8601 date or date-time (`as_of`); anything else is a problem naming the field.
    mutating func date(_ field: String) -> Date? {
        switch members[field] {
        case .none, .some(.null): return nil
        case .some(.string(let text)):
            if let date = DateText.parse(text) { return date }
            problem(field, "Input should be an ISO-8601 date or date-time", type: "datetime_parsing")
            return nil
        case .some:
            problem(field, "Input should be an ISO-8601 date or date-time", type: "datetime_type")
            return nil
        }
    }

    /// Throws the collected problems as a 422, if any.
    func finish() throws {
        if !problems.isEmpty { throw ValidationFailure(issues: problems) }
    }
}
