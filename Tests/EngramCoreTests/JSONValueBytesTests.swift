import EngramCore
import Foundation
import Testing

/// The byte-level JSON reader and writer agree with Foundation's JSONDecoder and JSONEncoder, and
/// refuse what RFC 8259 refuses.
@Suite("JSONValue bytes")
struct JSONValueBytesTests {
    static func decoded(_ text: String) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    static func encoded(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    @Test("reads what JSONDecoder reads and writes what JSONEncoder writes", arguments: [
        #"{"a": 1, "b": [true, false, null], "c": {"d": "e"}}"#, " [ ] ", "{}", "0", "-0.5", "1e3", "2.5E-3", "12345678901234",
        #""plain""#, #""esc \" \\ \/ \b \f \n \r \t""#, #""\u00e9\u4e2d\ud83d\ude00""#, #""naïve 中文 😀""#,
        #"{"deep": [[[[{"x": [1, 2.25, -3]}]]]]}"#, #"[1.7976931348623157e308, 5e-324, 0.1, 100]"#,
        #"{"memory": "I like \"green\" tea\n", "score": 0.906451, "metadata": null, "categories": ["food"]}"#,
    ])
    func agreesWithFoundation(text: String) throws {
        let expected = try #require(Self.decoded(text))
        let parsed = try #require(JSONValue.parse(Array(text.utf8)), "\(text)")
        #expect(parsed == expected)
        #expect(String(decoding: parsed.jsonBytes, as: UTF8.self) == Self.encoded(expected), "\(text)")
        #expect(JSONValue.parse(parsed.jsonBytes) == parsed)
    }

    @Test("refuses malformed JSON", arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "{'a': 1}", "01", "1.", ".5", "-", "1e", "+1", "NaN", "Infinity", "1e400",
        "tru", "nul", "[1] 2", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"tab\tinside\"", "{\"a\" 1}", "{1: 2}", "[1 2]",
    ])
    func refusesMalformed(text: String) {
        #expect(JSONValue.parse(Array(text.utf8)) == nil, "\(text)")
    }

    @Test("refuses invalid UTF-8 and nesting beyond the limit, without crashing")
    func hostile() {
        #expect(JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) == nil)
        let depth = JSONValue.maximumDepth
        #expect(JSONValue.parse(Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)) != nil)
        #expect(JSONValue.parse(Array((String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)).utf8)) == nil)
        #expect(JSONValue.parse(Array(String(repeating: "[", count: 100_000).utf8)) == nil)
    }

    @Test("writes control characters as escapes and integral numbers as integers")
    func writing() {
        let value = JSONValue.object(["t": .string("a\u{01}b\u{1F}c/d"), "n": .number(5), "f": .number(0.5), "big": .number(1e300)])
        #expect(String(decoding: value.jsonBytes, as: UTF8.self) == #"{"big":1e+300,"f":0.5,"n":5,"t":"a\u0001b\u001fc/d"}"#)
        #expect(String(decoding: JSONValue.number(.nan).jsonBytes, as: UTF8.self) == "null")
    }
}
