/// One row of a parser test table: raw request text (with `\r\n` written out) and the expected outcome.
struct ParserCase: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: String
    /// The expected status on error, or nil when the request must parse completely.
    let expectedStatus: Int?

    init(_ name: String, _ raw: String, _ expectedStatus: Int? = nil) {
        self.name = name
        self.raw = raw
        self.expectedStatus = expectedStatus
    }

    var bytes: [UInt8] { Array(raw.utf8) }
    var testDescription: String { name }
}

import Testing
