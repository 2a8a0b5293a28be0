import Foundation
import Testing
@testable import EngramCore

/// The filter grammar of API.md, parsed into the typed tree.
@Suite("Filter parser")
struct FilterParserTests {
    private func parse(_ json: String) throws -> Filter {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        return try FilterParser.parse(value)
    }

    private func rejection(_ json: String) -> String? {
        do {
            _ = try parse(json)
            return nil
        } catch let error as MemoryError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test("reads a scalar as equality and sibling keys as AND")
    func siblings() throws {
        #expect(try parse(#"{"user_id": "alice", "topic": "food"}"#) == .and([
            .compare(.metadata("topic"), .eq, .string("food")),
            .compare(.field(.userID), .eq, .string("alice")),
        ]))
        #expect(try parse(#"{"n": 3}"#) == .compare(.metadata("n"), .eq, .number(3)))
    }

    @Test("reads every operator, several per key")
    func operators() throws {
        for op in FilterOperator.allCases {
            let operand: String
            switch op {
            case .in, .nin: operand = #"["a", 1, true]"#
            case .gt, .gte, .lt, .lte: operand = "2.5"
            case .contains, .icontains: operand = #""abc""#
            case .eq, .ne: operand = "null"
            }
            #expect(try parse(#"{"k": {"\#(op.rawValue)": \#(operand)}}"#) != .all)
        }
        #expect(try parse(#"{"score": {"gte": 1, "lt": 5}}"#) == .and([
            .compare(.metadata("score"), .gte, .number(1)),
            .compare(.metadata("score"), .lt, .number(5)),
        ]))
    }

    @Test("reads a list as IN and * as exists")
    func listAndWildcard() throws {
        #expect(try parse(#"{"tag": ["a", "b"]}"#) == .compare(.metadata("tag"), .in, .array([.string("a"), .string("b")])))
        #expect(try parse(#"{"actor_id": "*"}"#) == .exists(.field(.actorID)))
    }

    @Test("nests AND, OR and NOT to any depth")
    func nesting() throws {
        let filter = try parse(#"{"user_id": "u", "OR": [{"a": 1}, {"AND": [{"b": 2}, {"NOT": [{"c": "*"}]}]}]}"#)
        #expect(filter == .and([
            .or([
                .compare(.metadata("a"), .eq, .number(1)),
                .and([.compare(.metadata("b"), .eq, .number(2)), .not([.exists(.metadata("c"))])]),
            ]),
            .compare(.field(.userID), .eq, .string("u")),
        ]))
    }

    @Test("names the unknown operator or the bad value")
    func rejections() {
        #expect(rejection(#"{"k": {"regex": "a.*"}}"#) == "Unsupported filter operator 'regex' on 'k'")
        #expect(rejection(#"{"k": {"gt": "ten"}}"#)?.contains("'gt' on 'k' needs a number") == true)
        #expect(rejection(#"{"created_at": {"gt": 5}}"#)?.contains("ISO-8601") == true)
        #expect(rejection(#"{"k": {"in": "a"}}"#)?.contains("'in' on 'k' needs a list") == true)
        #expect(rejection(#"{"k": {"contains": 5}}"#)?.contains("'contains' on 'k' needs a string") == true)
        #expect(rejection(#"{"k": {"eq": {"x": 1}}}"#)?.contains("'eq' on 'k'") == true)
        #expect(rejection(#"{"OR": {"a": 1}}"#) == "OR takes a list of filters, got object")
        #expect(rejection(#"{"k": {}}"#) == "No operator given for 'k'")
        #expect(rejection(#"["a"]"#) == "A filter must be a JSON object, got array")
        #expect(rejection(#"{"": 1}"#) == "A filter key must not be empty")
    }

    @Test("refuses hostile nesting depth")
    func depth() {
        let deep = String(repeating: #"{"NOT": ["#, count: 40) + "{}" + String(repeating: "]}", count: 40)
        #expect(rejection(deep)?.contains("nested deeper") == true)
    }
}
