/// How the graph is written and searched (`MemoryService.Configuration.graph`).
public struct GraphSettings: Sendable {
    /// Extract entities and relations on every write and search the graph, unless a call says
    /// `enable_graph: false`.
    public var enabled = true
    /// Most entities taken from a query.
    public var maxQueryEntities = 8
    /// Longest query n-gram matched against known entity names, in words.
    public var maxQueryNameWords = 4
    /// Hops from the query's entities along relations: 0 (their own memories only), 1 or 2. On LoCoMo
    /// (docs/benchmarks.md, graph memory) neighbours changed at most one question in 760, so one hop is the default.
    public var hops = 1
    /// Weight of an entity one hop further away than the last.
    public var hopDecay = 0.5
    /// Most relations followed from the entities of one hop.
    public var relationsPerHop = 100
    /// Most memories read per entity (its newest).
    public var linksPerEntity = 50
    /// An entity weighing less than this (a hub such as the user, named in most memories: the damping
    /// falls below 0.01 past about 315 mentions) is not followed along its `related_to` links and adds
    /// no memories; it still counts in the scores of the candidates that name it.
    public var minimumWeight = 0.01
    /// Most entities (the heaviest) whose memories may be added to a search's candidates.
    public var linkedEntities = 16
    /// Relations returned beside a search's results.
    public var relationsReturned = 10
    /// Most memories the graph adds to a search's candidates beyond the semantic and keyword ones (the
    /// best by graph score); the others only re-rank.
    public var addedCandidates = 20

    public init() {}

    /// How much an entity linked to `mentions` memories counts: 1 for a rare one, towards 0 for a hub
    /// (mem0's damping, 1 / (1 + 0.001 (n − 1)²)).
    public static func damping(mentions: Int) -> Double {
        let excess = Double(max(mentions - 1, 0))
        return 1 / (1 + 0.001 * excess * excess)
    }
}
