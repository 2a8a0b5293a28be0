/// Errors of the memory engine. The API maps each to an HTTP status.
public enum MemoryError: Error, Sendable, Equatable {
    /// No user_id, agent_id or run_id was given (400).
    case missingScope
    /// The input is invalid; the message says why (400).
    case invalid(String)
    /// A filter is malformed; the message names the operator or value (400).
    case invalidFilter(String)
    /// No memory has this id (404).
    case notFound(String)
    /// No async add (event) has this id (404).
    case eventNotFound(String)
    /// No such user, agent, app or run has memories (404); the text names it.
    case entityNotFound(String)
    /// No graph relation has this id (404).
    case relationNotFound(String)
    /// The store cannot be reached (503).
    case storeUnavailable(String)
    /// The operation needs an LLM and none is configured; the message says which (501).
    case needsLLM(String)
    /// The embedding model differs from the one the store was built with (refuse to run).
    case embedderMismatch(String)

    /// A client-safe message.
    public var message: String {
        switch self {
        case .missingScope: "At least one identifier (user_id, agent_id, run_id) is required."
        case .invalid(let message), .invalidFilter(let message): message
        case .notFound(let id): "Memory with id \(id) not found"
        case .eventNotFound(let id): "Event with id \(id) not found"
        case .relationNotFound(let id): "Relation with id \(id) not found"
        case .entityNotFound(let what): "\(what) not found"
        case .storeUnavailable: "The memory store is unavailable"
        case .embedderMismatch(let message): message
        case .needsLLM(let what): "\(what) needs an LLM provider, and none is configured (set ENGRAM_LLM_PROVIDER or POST /configure)"
        }
    }
}
