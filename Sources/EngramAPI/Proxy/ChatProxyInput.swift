import EngramCore
import EngramHTTP

/// The body of `POST /v1/chat/completions`: an OpenAI chat completion request, plus Engram's scope
/// fields (`user_id`, `agent_id`, `run_id`, as mem0's proxy took them; else OpenAI's `user` names the
/// user). The scope fields are removed before the request is forwarded; `user` stays.
struct ChatProxyInput {
    /// Whose memories are used and added; nil makes the call a plain proxy.
    let scope: Scope?
    /// The request as it is forwarded.
    var completion: ChatCompletionRequest

    static let scopeFields = ["user_id", "agent_id", "run_id"]

    init(_ request: HTTPRequest) throws {
        var body = try JSONBody(request)
        let userID = body.string("user_id")
        let agentID = body.string("agent_id")
        let runID = body.string("run_id")
        let user = body.string("user")
        try body.finish()
        if userID != nil || agentID != nil || runID != nil {
            scope = try Scope(userID: userID, agentID: agentID, runID: runID)
        } else if let user {
            scope = try Scope(userID: user)
        } else {
            scope = nil
        }
        var members = body.members
        for field in Self.scopeFields { members.removeValue(forKey: field) }
        completion = try ChatCompletionRequest(body: members)
    }
}
