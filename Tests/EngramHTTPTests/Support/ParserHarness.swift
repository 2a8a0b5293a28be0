@testable import EngramHTTP

/// Runs the parser over a byte string, whole and one byte at a time, so every rule is checked under
/// both delivery patterns.
enum ParserHarness {
    enum Outcome: Equatable, CustomStringConvertible {
        case complete(consumed: Int)
        case error(Int)
        case needMore

        var description: String {
            switch self {
            case .complete(let consumed): "complete(\(consumed))"
            case .error(let status): "error(\(status))"
            case .needMore: "needMore"
            }
        }
    }

    struct Run {
        var outcome: Outcome
        var request: HTTPRequest?
    }

    static func whole(_ text: String, limits: ParserLimits = ParserLimits()) -> Run {
        whole(Array(text.utf8), limits: limits)
    }

    static func whole(_ bytes: [UInt8], limits: ParserLimits = ParserLimits()) -> Run {
        var parser = RequestParser(limits: limits)
        return run(parser.parse(bytes))
    }

    /// Feeds one byte more per call until the parser answers something other than needMore.
    static func byteAtATime(_ bytes: [UInt8], limits: ParserLimits = ParserLimits()) -> Run {
        var parser = RequestParser(limits: limits)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(bytes.count)
        for byte in bytes {
            buffer.append(byte)
            let result = run(parser.parse(buffer))
            if result.outcome != .needMore { return result }
        }
        return Run(outcome: .needMore, request: nil)
    }

    private static func run(_ result: RequestParser.Result) -> Run {
        switch result {
        case .needMore: Run(outcome: .needMore)
        case .error(let error): Run(outcome: .error(error.status.code))
        case .complete(let request, let consumed): Run(outcome: .complete(consumed: consumed), request: request)
        }
    }
}
