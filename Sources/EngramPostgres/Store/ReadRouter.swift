import EngramCore
import Foundation
import Synchronization

/// Sends reads to a streaming replica (`ENGRAM_DATABASE_READ_URL`) while keeping read-your-writes for
/// this instance: after each write it remembers the primary's WAL position for the scopes written, and a
/// read of such a scope goes to the replica only once the replica has replayed that position. Reads of
/// other scopes go to the replica at once. A replica that cannot be reached, or whose replay lags by
/// more than `maxLag`, is left alone while the primary answers.
///
/// Only reads that ask for it (`MemoryStore.allowingReplicaReads`, the read routes) ever leave the
/// primary: a read inside an add, say, must see what another instance committed a moment ago.
final class ReadRouter: Sendable {
    let replica: ConnectionPool
    /// How long the replica's replay position is trusted before it is asked again.
    let positionTTL: TimeInterval
    /// How long an unreachable replica is skipped.
    let backoff: TimeInterval
    /// Distinct scopes awaiting replay beyond which every read goes to the primary until it catches up.
    let maxPending: Int
    /// Seconds of replay lag beyond which the replica is left alone, and how often the lag is looked at.
    let maxLag: TimeInterval
    let lagCheckInterval: TimeInterval

    private let state = Mutex(State())
    private let counts = Mutex(ReadCounts())

    private struct State {
        /// Per project, the WAL position of this instance's latest write to each scope key (`u:alice`,
        /// `a:bot`, `r:run-1`, `p:app`; `*` for a write of the whole project).
        var pending: [String: [String: UInt64]] = [:]
        var pendingCount = 0
        var replayed: UInt64 = 0
        var replayedAt: TimeInterval = -.infinity
        var downUntil: TimeInterval = -.infinity
        var lagCheckedAt: TimeInterval = -.infinity
        var lagging = false
    }

    init(
        replica: ConnectionPool, maxLag: TimeInterval = 30, lagCheckInterval: TimeInterval = 1, positionTTL: TimeInterval = 0.02,
        backoff: TimeInterval = 5, maxPending: Int = 100_000
    ) {
        self.replica = replica
        self.maxLag = maxLag
        self.lagCheckInterval = lagCheckInterval
        self.positionTTL = positionTTL
        self.backoff = backoff
        self.maxPending = maxPending
    }

    var readCounts: ReadCounts { counts.withLock { $0 } }

    /// Whether reads may use the replica: set by `MemoryStore.allowingReplicaReads` around read requests.
    @TaskLocal static var replicaAllowed = false

    /// Records a committed write at WAL position `position` to `keys` of `project` (nil: the whole project).
    func recordWrite(project: String, keys: Set<String>?, position: UInt64) {
        let keys = keys.flatMap { $0.isEmpty ? nil : $0 } ?? ["*"]
        state.withLock { state in
            var scopes = state.pending[project] ?? [:]
            for key in keys {
                if scopes[key] == nil { state.pendingCount += 1 }
                scopes[key] = max(scopes[key] ?? 0, position)
            }
            state.pending[project] = scopes
        }
    }

    /// Runs `read` on the replica when allowed and fresh enough for `keys` of `project` (nil: a read not
    /// bound to one scope, which waits for every write of the project), else on the primary through
    /// `primary`. A replica that fails to answer is skipped for `backoff` and the primary answers.
    func read<T>(project: String, keys: Set<String>?, primary: () throws -> T, replica body: (PostgresConnection) throws -> T) throws -> T {
        guard Self.replicaAllowed, replicaIsFresh(project: project, keys: keys) else {
            counts.withLock { $0.primary += 1 }
            return try primary()
        }
        do {
            let value = try replica.withConnection(body)
            counts.withLock { $0.replica += 1 }
            return value
        } catch MemoryError.storeUnavailable {
            markDown()
        } catch let error as PostgresStoreError where error.sqlState.hasPrefix("08") || error.sqlState == "57P03" {
            markDown()
        } catch let error as PostgresStoreError where error.sqlState == "40001" {
            // Cancelled by a conflict with recovery (the replica replayed a vacuum the query needed): the
            // primary answers this one; the replica stays in use.
        }
        counts.withLock { $0.primary += 1 }
        return try primary()
    }

    private func markDown() {
        let now = Self.now
        state.withLock { $0.downUntil = now + backoff }
    }

    /// Whether the replica has replayed every write this read must see, and is not lagging by more than
    /// `maxLag` (checked at most every `lagCheckInterval`).
    private func replicaIsFresh(project: String, keys: Set<String>?) -> Bool {
        let now = Self.now
        let (needed, cached, usable, lagKnown) = state.withLock { state -> (UInt64, UInt64?, Bool, Bool) in
            if now < state.downUntil { return (0, nil, false, true) }
            if state.pendingCount > maxPending { return (.max, nil, true, true) }
            let scopes = state.pending[project] ?? [:]
            let needed: UInt64
            if let keys {
                needed = max(scopes["*"] ?? 0, keys.reduce(0) { max($0, scopes[$1] ?? 0) })
            } else {
                needed = scopes.values.max() ?? 0
            }
            let cached = now - state.replayedAt < positionTTL ? state.replayed : nil
            let lagKnown = now - state.lagCheckedAt < lagCheckInterval
            return (needed, cached, !(lagKnown && state.lagging), lagKnown)
        }
        guard usable else { return false }
        if lagKnown, needed == 0 || (cached.map { $0 >= needed } ?? false) { return true }
        guard let (replayed, lag) = try? replicaState() else {
            markDown()
            return false
        }
        let lagging = lag > maxLag
        state.withLock { state in
            state.replayed = max(state.replayed, replayed)
            state.replayedAt = now
            state.lagCheckedAt = now
            state.lagging = lagging
            // Forget the writes the replica now holds.
            for (project, scopes) in state.pending {
                let kept = scopes.filter { $0.value > replayed }
                state.pendingCount -= scopes.count - kept.count
                state.pending[project] = kept.isEmpty ? nil : kept
            }
        }
        return !lagging && replayed >= needed
    }

    /// The replica's replay position (on a primary, which the read URL may name by mistake or in a test
    /// of the routing alone, its current position), and how many seconds its replay is behind what it
    /// has received: 0 when it has replayed all of it, else the age of the last transaction it replayed
    /// (an over-estimate after a quiet spell, which only sends reads to the primary for a moment).
    private func replicaState() throws -> (position: UInt64, lag: Double) {
        try replica.withConnection { connection in
            let result = try connection.execute(
                """
                SELECT coalesce(pg_last_wal_replay_lsn(), CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END)::text,
                    CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn()
                        THEN 0 ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8
                """)
            return (result.text(0, 0).flatMap(Self.position) ?? 0, try result.double(0, 1))
        }
    }

    /// A WAL position as a number: `16/B374D848` is 0x16_B374D848.
    static func position(_ text: String) -> UInt64? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16), high <= 0xFFFF_FFFF,
              low <= 0xFFFF_FFFF
        else { return nil }
        return high << 32 | low
    }

    /// The scope keys a filter pins with equality at its top level (`user_id = alice AND …`), or nil
    /// when it pins none: such a read must see every write of the project.
    static func keys(of filter: Filter) -> Set<String>? {
        var keys: Set<String> = []
        func visit(_ filter: Filter) {
            switch filter {
            case .and(let parts): parts.forEach(visit)
            case .compare(.field(let field), .eq, .string(let value)):
                if let prefix = prefix(field) { keys.insert(prefix + value) }
            default: break
            }
        }
        visit(filter)
        return keys.isEmpty ? nil : keys
    }

    /// The scope keys a memory's write touches.
    static func keys(of scope: Scope) -> Set<String> {
        var keys: Set<String> = []
        if let user = scope.userID { keys.insert("u:" + user) }
        if let agent = scope.agentID { keys.insert("a:" + agent) }
        if let run = scope.runID { keys.insert("r:" + run) }
        if let app = scope.appID { keys.insert("p:" + app) }
        return keys
    }

    private static func prefix(_ field: MemoryField) -> String? {
        switch field {
        case .userID: "u:"
        case .agentID: "a:"
        case .runID: "r:"
        case .appID: "p:"
        default: nil
        }
    }

    private static var now: TimeInterval { ProcessInfo.processInfo.systemUptime }
}

extension PostgresMemoryStore {
    /// The read replica as `engram doctor` reports it: whether it answers as a standby, and how far its
    /// replay is behind the primary in bytes of WAL. Nil without a read URL; throws when it cannot be read.
    public func replicaStatus() throws -> (isStandby: Bool, lagBytes: Int)? {
        guard let readRouter else { return nil }
        let primary = try withConnection { connection in
            try connection.execute("SELECT pg_current_wal_lsn()::text").text(0, 0).flatMap(ReadRouter.position) ?? 0
        }
        return try readRouter.replica.withConnection { connection in
            let result = try connection.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")
            let standby = try result.bool(0, 0)
            let replayed = result.text(0, 1).flatMap(ReadRouter.position) ?? primary
            return (standby, Int(clamping: primary > replayed ? primary - replayed : 0))
        }
    }
}
