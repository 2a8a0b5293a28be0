import Foundation

/// The graph half of a search: the query's entities (named in the query by the spotter's rules, or
/// known names of the scope spelled in it), the entities one or two relations away, the memories that
/// mention any of them, and the relations around the query's entities.
///
/// Each entity gets a weight: a query entity `GraphSettings.damping(mentions)` (hubs such as the user,
/// named in most memories, count for little), an entity reached over a relation the weight it was
/// reached from times `hopDecay` times its own damping. A memory's graph score is the sum of the
/// weights of the entities it mentions over the sum of the query entities' weights, at most 1: 1 for a
/// memory naming every query entity, rare entities counting more than hubs.
struct GraphSearch {
    let store: any MemoryStore
    let project: String
    let settings: GraphSettings

    /// What the graph found for a query.
    struct Hits {
        /// The weight of each entity found, by id.
        var weights: [String: Double] = [:]
        /// The sum of the query entities' weights.
        var mass = 0.0
        /// Graph scores of the memories reached through `linksPerEntity` links of each entity: where
        /// memories the other halves missed come from.
        var reachable: [String: Double] = [:]
        /// Relations around the query's entities, best first.
        var relations: [ScoredRelation] = []

        /// Graph scores from each memory's linked entities: their weights' sum over `mass`, at most 1.
        func scores(_ entities: [String: [String]]) -> [String: Double] {
            guard mass > 0 else { return [:] }
            return entities.mapValues { ids in min(1, ids.reduce(0) { $0 + (weights[$1] ?? 0) } / mass) }
        }
    }

    func run(query: String, filter: Filter, visibility: Visibility) throws -> Hits {
        let (names, words) = Self.candidateKeys(in: query, maxWords: settings.maxQueryNameWords)
        guard !names.isEmpty || !words.isEmpty else { return Hits() }
        // A single lower-case word of the query names an entity only when that entity is typed (a person,
        // place, organisation, title): an untyped one is most often a capitalised sentence opener
        // ("Research is fun.") that happens to share the word.
        let found = try store.graphEntities(keys: Array(names.union(words)), project: project, scope: filter.pinnedScope, limit: 64)
            .filter { entity in
                entity.type != "entity" || names.contains(EntityName.key(entity.name)) || entity.aliases.contains(where: names.contains)
            }
        // The most specific names first: longer keys, then rarer entities.
        let seeds = found.sorted { ($0.name.count, -$0.mentions, $0.id) > ($1.name.count, -$1.mentions, $1.id) }
            .prefix(settings.maxQueryEntities)
        guard !seeds.isEmpty else { return Hits() }
        var weights: [String: Double] = [:]
        for seed in seeds { weights[seed.id] = GraphSettings.damping(mentions: seed.mentions) }
        let seedIDs = Set(seeds.map(\.id))

        // Hubs are followed along their typed relations only (for the relations returned): they may have
        // thousands of `related_to` ones, none of which would weigh anything.
        let hubs = seedIDs.filter { (weights[$0] ?? 0) < settings.minimumWeight }.sorted()
        var firstHop = try store.graphRelations(
            touching: hubs, project: project, asOf: visibility.asOf, typedOnly: true, limit: settings.relationsReturned)
        var frontier = seedIDs.subtracting(hubs).sorted()
        for hop in 0..<settings.hops {
            guard !frontier.isEmpty else { break }
            let relations = try store.graphRelations(
                touching: frontier, project: project, asOf: visibility.asOf, typedOnly: false, limit: settings.relationsPerHop)
            if hop == 0 { firstHop += relations }
            var reached: [String: Double] = [:]
            let inFrontier = Set(frontier)
            for relation in relations {
                for (from, to, mentions) in [(relation.sourceID, relation.targetID, relation.targetMentions),
                                             (relation.targetID, relation.sourceID, relation.sourceMentions)]
                where inFrontier.contains(from) && weights[to] == nil {
                    let weight = (weights[from] ?? 0) * settings.hopDecay * GraphSettings.damping(mentions: mentions)
                    reached[to] = max(reached[to] ?? 0, weight)
                }
            }
            weights.merge(reached) { current, _ in current }
            frontier = reached.filter { $0.value >= settings.minimumWeight }.keys.sorted()
        }

        var hits = Hits()
        hits.weights = weights
        hits.mass = seeds.reduce(0) { $0 + (weights[$1.id] ?? 0) }
        guard hits.mass > 0 else { return Hits() }
        let linked = weights.filter { $0.value >= settings.minimumWeight }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .prefix(settings.linkedEntities).map(\.key)
        let links = try store.graphLinks(
            entityIDs: linked, project: project, filter: filter, visibility: visibility, limitPerEntity: settings.linksPerEntity)
        hits.reachable = hits.scores(Self.grouped(links))
        hits.relations = Self.rank(firstHop, weights: weights, seeds: seedIDs, limit: settings.relationsReturned)
        let sources = try store.graphSources(relationIDs: hits.relations.map(\.relation.id), project: project)
        for index in hits.relations.indices { hits.relations[index].relation.memoryIDs = sources[hits.relations[index].relation.id] ?? [] }
        return hits
    }

    /// The graph scores of `memoryIDs`, from their links to the entities weighed.
    func scores(of memoryIDs: [String], _ hits: Hits) throws -> [String: Double] {
        guard !hits.weights.isEmpty, !memoryIDs.isEmpty else { return [:] }
        let links = try store.graphLinks(entityIDs: hits.weights.keys.sorted(), memoryIDs: memoryIDs, project: project)
        return hits.scores(Self.grouped(links))
    }

    /// The entities each memory is linked to.
    static func grouped(_ links: [EntityLink]) -> [String: [String]] {
        Dictionary(grouping: links, by: \.memoryID).mapValues { $0.map(\.entityID) }
    }

    /// Relations touching a query entity, scored by the noisy-or of their query endpoints' weights (a
    /// `related_to` link counts half), best first, then newest.
    static func rank(_ relations: [GraphRelation], weights: [String: Double], seeds: Set<String>, limit: Int) -> [ScoredRelation] {
        var seen: Set<String> = []
        let scored = relations.compactMap { relation -> ScoredRelation? in
            guard seen.insert(relation.id).inserted else { return nil }
            let ends = [relation.sourceID, relation.targetID].filter(seeds.contains)
            guard !ends.isEmpty else { return nil }
            var score = 1 - ends.reduce(1.0) { $0 * (1 - (weights[$1] ?? 0)) }
            if relation.relationship == GraphVocabulary.coOccurrence { score /= 2 }
            return ScoredRelation(relation: relation, score: score)
        }
        return Array(scored.sorted {
            $0.score != $1.score ? $0.score > $1.score : ($0.relation.createdAt, $0.relation.id) > ($1.relation.createdAt, $1.relation.id)
        }.prefix(limit))
    }

    /// Words of a query read for entity names (a longer query is mostly text to match, not names).
    static let maxQueryWords = 64

    /// The keys an entity of the query may be known by: names (the spotter's entities of the query and
    /// every run of two to `maxWords` words) and words (each single word but common ones).
    static func candidateKeys(in query: String, maxWords: Int) -> (names: Set<String>, words: Set<String>) {
        var names = Set(EntitySpotter.entities(in: query).map(\.key))
        var single: Set<String> = []
        let words = EntitySpotter.words(in: query).prefix(maxQueryWords).map(\.bare)
        for start in words.indices {
            for length in 1...max(1, maxWords) where start + length <= words.count {
                let run = words[start..<(start + length)]
                if length == 1, EntitySpotter.commonWords.contains(run[start].lowercased()) || run[start].count < 2 { continue }
                let key = EntityName.key(run.joined(separator: " "))
                guard !key.isEmpty, key.utf8.count <= EntityName.maxBytes else { continue }
                if length == 1 { single.insert(key) } else { names.insert(key) }
            }
        }
        return (names, single.subtracting(names))
    }
}
