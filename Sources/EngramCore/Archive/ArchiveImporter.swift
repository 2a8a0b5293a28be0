import Foundation

/// Reads an export (or mem0's records) into a store: every memory embedded with `embedder` (or, from an
/// export with vectors made with the same model and dimension, given the vector it carries), its history
/// and graph written as they were, in batches of one transaction each.
///
/// Ids are kept when no memory (history row, relation) has them yet; `newIDs` gives every one a fresh
/// id instead. A memory id taken already is a bad line without `newIDs`; a taken history or relation id
/// is replaced quietly (they are internal). A bad line is reported and skipped; with `strict`, every
/// line is checked before anything is written, and one bad line stops the import with nothing written.
public struct ArchiveImporter {
    public struct Options: Sendable {
        public var newIDs = false
        public var strict = false
        /// Puts every memory in this project, whatever the file says.
        public var project: String?
        public var batchSize = 256
        public init() {}
    }

    public struct Summary: Sendable, Equatable {
        public var imported = 0
        public var skipped = 0
        /// Memories written with the vector their export carried rather than embedded again.
        public var vectorsKept = 0
        /// Memories that carried a vector of another embedder (or dimension) and were embedded again.
        public var vectorsReplaced = 0
        /// Seconds spent building the store's vector index once at the end, when the store deferred it
        /// (`AdminStore.beginBulkLoad`); nil when it kept its index up throughout.
        public var indexSeconds: Double?
    }

    public let store: any AdminStore
    public let embedder: any Embedder
    public let options: Options
    let now: Date

    public init(store: any AdminStore, embedder: any Embedder, options: Options, now: Date = Date()) {
        self.store = store
        self.embedder = embedder
        self.options = options
        self.now = now
    }

    /// Imports every item of `reader`. `problem` gets each bad item as `line N: why`; `progress` the
    /// number of items handled so far. Throws when `strict` found a bad item (nothing is written then)
    /// or the store failed.
    public func run(_ reader: ArchiveReader, problem: (String) -> Void, progress: (Int) -> Void) throws -> Summary {
        guard try store.beginBulkLoad() else { return try load(reader, problem: problem, progress: progress) }
        var summary: Summary
        do {
            summary = try load(reader, problem: problem, progress: progress)
        } catch {
            try? store.finishBulkLoad()
            throw error
        }
        let started = Date()
        try store.finishBulkLoad()
        summary.indexSeconds = Date().timeIntervalSince(started)
        return summary
    }

    private func load(_ reader: ArchiveReader, problem: (String) -> Void, progress: (Int) -> Void) throws -> Summary {
        var state = State()
        // Whether the export's vectors are this embedder's: learnt from its header, the first line.
        var header: Header?
        if options.strict {
            var problems = 0
            var checked = 0
            var batch: [Entry] = []
            func check() throws {
                for entry in try settleIDs(batch, state: &state) {
                    if let why = entry.problem {
                        problems += 1
                        problem("\(entry.label): \(why)")
                    }
                }
                batch.removeAll(keepingCapacity: true)
            }
            try reader.forEach { item in
                if let entry = try entry(item, header: &header) {
                    checked += 1
                    batch.append(entry)
                    if batch.count >= options.batchSize { try check() }
                }
            }
            try check()
            guard problems == 0 else {
                throw ArchiveError("\(problems) bad \(problems == 1 ? "item" : "items") in \(checked); nothing was imported (--strict)")
            }
            state = State()
        }
        var summary = Summary()
        var batch: [Entry] = []
        var handled = 0
        func flush() throws {
            let settled = try settleIDs(batch, state: &state)
            batch.removeAll(keepingCapacity: true)
            var good: [Entry] = []
            for entry in settled {
                if let why = entry.problem {
                    summary.skipped += 1
                    problem("\(entry.label): \(why)")
                } else {
                    good.append(entry)
                }
            }
            let (written, kept, replaced) = try write(good, vectorsUsable: header?.matches(embedder) ?? false, problem: problem)
            summary.imported += written
            summary.vectorsKept += kept
            summary.vectorsReplaced += replaced
            summary.skipped += good.count - written
            progress(handled)
        }
        try reader.forEach { item in
            handled += 1
            if let entry = try entry(item, header: &header) {
                batch.append(entry)
                if batch.count >= options.batchSize { try flush() }
            }
        }
        try flush()
        return summary
    }

    /// One item on its way in.
    struct Entry {
        var label: String
        var parsed: ArchiveRecord.Parsed?
        var problem: String?
        var id = ""
        var historyIDs: [String] = []
        var relationIDs: [String] = []
    }

    /// What the run remembers across batches: ids used so far, relation ids as renamed.
    struct State {
        var seenMemoryIDs: Set<String> = []
        var relationIDs: [String: String] = [:]
        var seenHistoryIDs: Set<String> = []
    }

    /// The embedder an export's header names.
    struct Header {
        var model: String?
        var dimension: Int?

        func matches(_ embedder: any Embedder) -> Bool { model == embedder.modelID && dimension == embedder.dimension }
    }

    /// The item parsed, nil for an export's header (which `header` then holds).
    private func entry(_ item: ArchiveReader.Item, header: inout Header?) throws -> Entry? {
        switch item.value {
        case .failure(let error):
            return Entry(label: item.label, problem: error.description)
        case .success(let value):
            do {
                if case .object(let object) = value, try ArchiveRecord.isHeader(object) {
                    let named = ArchiveRecord.headerEmbedder(object)
                    header = Header(model: named.model, dimension: named.dimension)
                    return nil
                }
                return Entry(label: item.label, parsed: try ArchiveRecord.parse(value, now: now))
            } catch {
                return Entry(label: item.label, problem: error.description)
            }
        }
    }

    /// Gives every entry its memory, history and relation ids, or a problem.
    private func settleIDs(_ entries: [Entry], state: inout State) throws -> [Entry] {
        let kept = options.newIDs ? [] : entries.compactMap { $0.parsed?.id }
        let takenMemories = try store.takenIDs(kept, kind: .memory)
        let takenHistory = try options.newIDs ? [] : store.takenIDs(
            entries.flatMap { $0.parsed?.history?.map(\.id).filter { !$0.isEmpty } ?? [] }, kind: .history)
        let takenRelations = try options.newIDs ? [] : store.takenIDs(
            entries.flatMap { $0.parsed?.relations.map(\.id).filter { state.relationIDs[$0] == nil } ?? [] }, kind: .relation)
        var settled = entries
        for index in settled.indices {
            guard let parsed = settled[index].parsed, settled[index].problem == nil else { continue }
            var id = MemoryService.newID()
            if !options.newIDs, let wanted = parsed.id {
                if state.seenMemoryIDs.contains(wanted) {
                    settled[index].problem = "the id \(wanted) appears twice in the file"
                    continue
                }
                if takenMemories.contains(wanted) {
                    settled[index].problem = "a memory with the id \(wanted) exists already (--new-ids imports it under a new id)"
                    continue
                }
                id = wanted
            }
            state.seenMemoryIDs.insert(id)
            settled[index].id = id
            settled[index].historyIDs = (parsed.history ?? []).map { event in
                let keep = !options.newIDs && !event.id.isEmpty && !takenHistory.contains(event.id) && !state.seenHistoryIDs.contains(event.id)
                let historyID = keep ? event.id : MemoryService.newID()
                state.seenHistoryIDs.insert(historyID)
                return historyID
            }
            settled[index].relationIDs = parsed.relations.map { relation in
                if let renamed = state.relationIDs[relation.id] { return renamed }
                let renamed = options.newIDs || takenRelations.contains(relation.id) ? MemoryService.newID() : relation.id
                state.relationIDs[relation.id] = renamed
                return renamed
            }
        }
        return settled
    }

    /// Embeds and writes entries (per project, one transaction each); a failed transaction is retried
    /// entry by entry so one bad entry costs only itself. With `vectorsUsable` (the export was made with
    /// this embedder), an entry carrying a vector of the embedder's dimension is written with it instead
    /// of being embedded. Returns how many were written, how many of those kept their vector, and how
    /// many entries carried a vector that could not be kept (and were embedded).
    private func write(_ entries: [Entry], vectorsUsable: Bool, problem: (String) -> Void) throws -> (written: Int, kept: Int, replaced: Int) {
        guard !entries.isEmpty else { return (0, 0, 0) }
        let carried = entries.map { entry in
            vectorsUsable ? entry.parsed!.embedding.flatMap { $0.count == embedder.dimension ? $0 : nil } : nil
        }
        let replaced = entries.filter { $0.parsed?.embedding != nil }.count - carried.filter { $0 != nil }.count
        let missing = entries.indices.filter { carried[$0] == nil }
        let embedded = missing.isEmpty ? [] : try embedder.embed(batch: missing.map { entries[$0].parsed!.text })
        var vectors = carried.map { $0 ?? [] }
        for (index, vector) in zip(missing, embedded) { vectors[index] = vector }
        let keeps = Set(entries.indices.filter { carried[$0] != nil }.map { entries[$0].id })
        var byProject: [String: [(Entry, [Float])]] = [:]
        for (entry, vector) in zip(entries, vectors) {
            byProject[options.project ?? entry.parsed!.project ?? Memory.defaultProject, default: []].append((entry, vector))
        }
        var written = 0
        var kept = 0
        for (project, items) in byProject.sorted(by: { $0.key < $1.key }) {
            do {
                try store.apply(changes(items, project: project))
                written += items.count
                kept += items.filter { keeps.contains($0.0.id) }.count
            } catch {
                guard items.count > 1 else {
                    problem("\(items[0].0.label): not written: \(error)")
                    continue
                }
                for item in items {
                    do {
                        try store.apply(changes([item], project: project))
                        written += 1
                        if keeps.contains(item.0.id) { kept += 1 }
                    } catch {
                        problem("\(item.0.label): not written: \(error)")
                    }
                }
            }
        }
        return (written, kept, replaced)
    }

    private func changes(_ items: [(Entry, [Float])], project: String) -> MemoryChanges {
        var changes = MemoryChanges()
        changes.project = project
        for (entry, vector) in items {
            let parsed = entry.parsed!
            changes.inserts.append(Memory(
                id: entry.id, text: parsed.text, hash: parsed.hash, metadata: parsed.metadata, scope: parsed.scope,
                actorID: parsed.actorID, role: parsed.role, createdAt: parsed.createdAt, updatedAt: parsed.updatedAt,
                expirationDate: parsed.expirationDate, state: parsed.state, project: project, embedding: vector,
                categories: parsed.categories))
            if let history = parsed.history {
                for (event, id) in zip(history, entry.historyIDs) {
                    var event = event
                    event.id = id
                    event.memoryID = entry.id
                    event.project = project
                    changes.history.append(event)
                }
            } else {
                changes.history.append(HistoryEvent(
                    id: MemoryService.newID(), memoryID: entry.id, oldMemory: nil, newMemory: parsed.text, event: .add,
                    createdAt: parsed.createdAt, isDeleted: false, actorID: parsed.actorID, role: parsed.role, scope: parsed.scope,
                    project: project))
            }
            if !parsed.entities.isEmpty || !parsed.relations.isEmpty {
                var relations = parsed.relations
                for index in relations.indices { relations[index].id = entry.relationIDs[index] }
                changes.graph.restorations.append(RestoredGraph(
                    memoryID: entry.id, scope: parsed.scope, at: parsed.createdAt, entities: parsed.entities, relations: relations))
            }
        }
        return changes
    }
}
