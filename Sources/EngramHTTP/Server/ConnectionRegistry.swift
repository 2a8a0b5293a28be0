import Synchronization

/// Every open connection by id, split over independently locked shards so that workers looking up
/// different connections rarely wait on each other.
final class ConnectionRegistry: Sendable {
    private final class Shard: Sendable {
        let connections = Mutex<[UInt64: Connection]>([:])
    }

    private let shards: [Shard] = (0..<16).map { _ in Shard() }

    private func shard(_ id: UInt64) -> Shard { shards[Int(id % UInt64(shards.count))] }

    func insert(_ connection: Connection) {
        shard(connection.id).connections.withLock { $0[connection.id] = connection }
    }

    func remove(_ id: UInt64) {
        _ = shard(id).connections.withLock { $0.removeValue(forKey: id) }
    }

    subscript(id: UInt64) -> Connection? {
        shard(id).connections.withLock { $0[id] }
    }

    /// The number of open connections.
    var count: Int {
        shards.reduce(0) { total, shard in total + shard.connections.withLock { $0.count } }
    }

    /// A snapshot of every open connection.
    var all: [Connection] {
        shards.flatMap { shard in shard.connections.withLock { Array($0.values) } }
    }
}
