/// A method and a path pattern such as `/memories/{memory_id}/history`, with its handler.
struct Route: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let method: HTTPMethod
    let segments: [Segment]
    let handler: Router.Handler
    /// The pattern as registered, without a trailing slash (`/memories/{memory_id}`): a bounded label
    /// for metrics, never a raw path.
    let template: String

    /// Parses a pattern: `/`-separated segments, `{name}` for a parameter; a trailing slash is ignored.
    init(method: HTTPMethod, pattern: String, handler: @escaping Router.Handler) {
        self.method = method
        self.segments = Route.split(pattern).map { segment in
            if segment.hasPrefix("{"), segment.hasSuffix("}"), segment.count > 2 {
                return .parameter(String(segment.dropFirst().dropLast()))
            }
            return .literal(segment)
        }
        self.handler = handler
        self.template = pattern.count > 1 && pattern.hasSuffix("/") ? String(pattern.dropLast()) : pattern
    }

    /// How many literal segments the pattern has: more literals win over parameters.
    var specificity: Int {
        segments.reduce(0) { count, segment in
            if case .literal = segment { return count + 1 }
            return count
        }
    }

    /// The parameters if `path` (already split and decoded) matches this pattern.
    func match(_ path: [String]) -> [String: String]? {
        guard path.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(segments, path) {
            switch segment {
            case .literal(let literal):
                guard literal == value else { return nil }
            case .parameter(let name):
                guard !value.isEmpty else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }

    /// Splits a path on `/`, ignoring the leading slash and one trailing slash (`/a/b/` is `/a/b`).
    static func split(_ path: String) -> [String] {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "" { parts.removeLast() }
        return parts
    }
}
