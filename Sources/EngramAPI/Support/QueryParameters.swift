import EngramCore
import EngramHTTP
import Foundation

/// Typed reading of query parameters; a value of the wrong type is a 422 naming it.
struct QueryParameters {
    let request: HTTPRequest

    func string(_ name: String) -> String? {
        guard let value = request.queryValue(name) else { return nil }
        return value
    }

    func integer(_ name: String, default defaultValue: Int) throws -> Int {
        guard let text = string(name), !text.isEmpty else { return defaultValue }
        guard let value = Int(text) else {
            throw ValidationFailure(issues: [.init(loc: [.key("query"), .key(name)], msg: "Input should be a valid integer", type: "int_parsing")])
        }
        return value
    }

    func bool(_ name: String) throws -> Bool {
        guard let text = string(name)?.lowercased(), !text.isEmpty else { return false }
        switch text {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            throw ValidationFailure(issues: [.init(loc: [.key("query"), .key(name)], msg: "Input should be a valid boolean", type: "bool_parsing")])
        }
    }

    /// An ISO-8601 date or date-time (`as_of`), nil when absent.
    func date(_ name: String) throws -> Date? {
        guard let text = string(name), !text.isEmpty else { return nil }
        guard let date = DateText.parse(text) else {
            throw ValidationFailure(issues: [.init(
                loc: [.key("query"), .key(name)], msg: "Input should be an ISO-8601 date or date-time", type: "datetime_parsing")])
        }
        return date
    }

    /// The scope from `user_id`, `agent_id` and `run_id` (empty values ignored).
    func scope() throws -> Scope {
        func nonEmpty(_ name: String) -> String? {
            guard let value = string(name), !value.isEmpty else { return nil }
            return value
        }
        return try Scope(userID: nonEmpty("user_id"), agentID: nonEmpty("agent_id"), runID: nonEmpty("run_id"))
    }

    /// The scope plus an optional `filters` parameter holding a JSON filter object.
    func scopedFilter() throws -> Filter {
        let scope = try scope()
        guard let text = string("filters"), !text.isEmpty else { return scope.filter }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            throw HTTPError(.badRequest, "filters must be a JSON object")
        }
        return .and([scope.filter, try FilterParser.parse(value)])
    }
}
