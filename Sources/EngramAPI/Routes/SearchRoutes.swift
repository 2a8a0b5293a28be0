import EngramCore
import EngramHTTP

/// `POST /search`: memories relevant to a query, best first.
enum SearchRoutes {
    static func register(on router: inout Router, service: MemoryService) {
        router.add(.post, "/search") { request in
            var body = try JSONBody(request)
            let query = body.string("query", required: true)
            let filters = body.object("filters")
            let userID = body.string("user_id")
            let agentID = body.string("agent_id")
            let runID = body.string("run_id")
            let topK = body.integer("top_k") ?? body.integer("limit")
            let threshold = body.number("threshold")
            _ = body.bool("rerank")
            let keyword = body.bool("keyword_search")
            let showExpired = body.bool("show_expired")
            let explain = body.bool("explain") ?? false
            try body.finish()

            var parts: [Filter] = []
            var scoped = userID != nil || agentID != nil || runID != nil
            if scoped { parts.append(try Scope(userID: userID, agentID: agentID, runID: runID).filter) }
            if let filters {
                scoped = scoped || ["user_id", "agent_id", "run_id"].contains { filters[$0] != nil }
                parts.append(try FilterParser.parse(.object(filters)))
            }
            guard scoped else { throw MemoryError.missingScope }
            let results = try service.search(SearchRequest(
                query: query ?? "", filter: .and(parts), topK: topK ?? 20, threshold: threshold ?? 0.1,
                keywordSearch: keyword ?? true, showExpired: showExpired ?? false))
            return .json(JSONValue.object([
                "results": .array(results.map { MemoryJSON.item($0.memory, score: $0, explain: explain) }),
            ]))
        }
    }
}
