import EngramCore
import EngramHTTP

/// `POST /search`: memories relevant to a query, best first.
enum SearchRoutes {
    static func register(on router: inout Router, engine: MemoryService) {
        router.add(.post, "/search") { request in
            let service = engine.serving(request)
            var body = try JSONBody(request)
            let query = body.string("query", required: true)
            let filters = body.object("filters")
            let userID = body.string("user_id")
            let agentID = body.string("agent_id")
            let runID = body.string("run_id")
            let topK = body.integer("top_k") ?? body.integer("limit")
            let threshold = body.number("threshold")
            let rerank = body.bool("rerank") ?? false
            let topN = body.integer("top_n")
            let keyword = body.bool("keyword_search")
            let showExpired = body.bool("show_expired")
            let explain = body.bool("explain") ?? false
            let enableGraph = body.bool("enable_graph")
            let asOf = body.date("as_of")
            try body.finish()

            var parts: [Filter] = []
            var scoped = userID != nil || agentID != nil || runID != nil
            if scoped { parts.append(try Scope(userID: userID, agentID: agentID, runID: runID).filter) }
            if let filters {
                scoped = scoped || ["user_id", "agent_id", "run_id"].contains { filters[$0] != nil }
                parts.append(try FilterParser.parse(.object(filters)))
            }
            guard scoped else { throw MemoryError.missingScope }
            let outcome = try service.search(SearchRequest(
                query: query ?? "", filter: .and(parts), topK: topK ?? 20, threshold: threshold ?? 0.1,
                keywordSearch: keyword ?? true, showExpired: showExpired ?? false, enableGraph: enableGraph, asOf: asOf,
                rerank: rerank, rerankCandidates: topN))
            var object: [String: JSONValue] = [
                "results": .array(outcome.results.map { MemoryJSON.item($0.memory, score: $0, explain: explain) }),
            ]
            if service.graphEnabled, enableGraph != false {
                object["relations"] = .array(outcome.relations.map { GraphJSON.relation($0.relation, score: $0.score) })
            }
            if !outcome.warnings.isEmpty { object["warnings"] = .array(outcome.warnings.map(JSONValue.string)) }
            return .json(JSONValue.object(object))
        }
    }
}
