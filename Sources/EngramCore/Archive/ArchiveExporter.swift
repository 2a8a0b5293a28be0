import Foundation

/// Writes a store's memories as JSON Lines (`ArchiveRecord`), page by page in id order, so memory use
/// stays flat whatever the store's size. Each page is read in its own snapshot: a store written to
/// meanwhile (a running `engram serve`) exports every memory that existed throughout, and those added
/// or deleted during the export may or may not be in it.
public struct ArchiveExporter {
    public let store: any AdminStore
    /// Memories read per page.
    public var pageSize = 500
    /// Writes each memory's embedding too, so an import with the same model need not embed again.
    public var vectors = false

    public init(store: any AdminStore) {
        self.store = store
    }

    /// Writes the header, then every memory of `projects` (all when nil) matching `filter`; returns
    /// how many memories were written. `write` gets one line at a time, newline included.
    @discardableResult
    public func run(projects: [String]?, filter: Filter, now: Date = Date(), write: ([UInt8]) throws -> Void) throws -> Int {
        let model = try store.setting("embedding_model")
        let dimension = try store.setting("embedding_dimension").flatMap { Int($0) }
        var line = ArchiveRecord.header(embeddingModel: model, dimension: dimension, at: now).jsonBytes
        line.append(UInt8(ascii: "\n"))
        try write(line)
        var written = 0
        for project in try projects ?? store.projects() {
            var after: String?
            while true {
                let page = try store.archivePage(project: project, filter: filter, after: after, limit: pageSize)
                guard let last = page.last else { break }
                let ids = page.map(\.id)
                let histories = try store.histories(memoryIDs: ids, project: project)
                let graphs = try store.graphArchive(memoryIDs: ids, project: project)
                for memory in page {
                    line.removeAll(keepingCapacity: true)
                    ArchiveRecord.line(memory: memory, history: histories[memory.id] ?? [], graph: graphs[memory.id], vector: vectors)
                        .write(to: &line)
                    line.append(UInt8(ascii: "\n"))
                    try write(line)
                }
                written += page.count
                after = last.id
                if page.count < pageSize { break }
            }
        }
        return written
    }
}
