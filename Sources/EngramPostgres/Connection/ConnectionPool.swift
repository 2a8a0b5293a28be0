import EngramCore
import Foundation

/// A bounded pool of connections to one database. A borrower gets a connection for the length of a
/// closure, alone; connections open lazily, and one found broken (the server restarted, the network
/// dropped) is dropped and replaced by a fresh one on a later checkout, so the store recovers without
/// a restart. When every connection is lent, borrowers wait up to `checkoutTimeout`.
final class ConnectionPool: @unchecked Sendable {
    // @unchecked: `idle` and `openCount` are only touched with `condition` locked, and a connection is
    // in `idle` (owned by the pool) or lent to exactly one borrower, never both.
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var openCount = 0

    private let url: String
    private let size: Int
    private let checkoutTimeout: TimeInterval
    private let connectTimeout: Int
    private let maxPreparedStatements: Int
    /// SQL run once on every new connection (session settings).
    private let sessionSetup: String
    private let planObserver: PostgresConnection.PlanObserver?

    init(
        url: String, size: Int, checkoutTimeout: TimeInterval, connectTimeout: Int, maxPreparedStatements: Int, sessionSetup: String,
        planObserver: PostgresConnection.PlanObserver? = nil
    ) {
        self.planObserver = planObserver
        self.url = url
        self.size = max(size, 1)
        self.checkoutTimeout = checkoutTimeout
        self.connectTimeout = connectTimeout
        self.maxPreparedStatements = maxPreparedStatements
        self.sessionSetup = sessionSetup
    }

    /// Runs `body` with a connection of its own, then returns the connection to the pool, or drops it
    /// when it is broken or was left inside a transaction.
    @discardableResult
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    /// Drops every idle connection (the lent ones close when returned broken, or stay if healthy).
    func drainIdle() {
        condition.lock()
        openCount -= idle.count
        idle.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func checkOut() throws -> PostgresConnection {
        let deadline = Date().addingTimeInterval(checkoutTimeout)
        condition.lock()
        while true {
            if let connection = idle.popLast() {
                condition.unlock()
                if connection.isUsable() { return connection }
                // Dropped outside the lock; its deinit closes the socket.
                condition.lock()
                openCount -= 1
                continue
            }
            if openCount < size {
                openCount += 1
                condition.unlock()
                do {
                    return try open()
                } catch {
                    condition.lock()
                    openCount -= 1
                    condition.signal()
                    condition.unlock()
                    throw error
                }
            }
            guard condition.wait(until: deadline) else {
                condition.unlock()
                throw MemoryError.storeUnavailable("Every one of the \(size) Postgres connections stayed busy")
            }
        }
    }

    private func open() throws -> PostgresConnection {
        let connection = try PostgresConnection(url: url, connectTimeout: connectTimeout, maxPreparedStatements: maxPreparedStatements)
        connection.planObserver = planObserver
        if !sessionSetup.isEmpty { try connection.executeScript(sessionSetup) }
        return connection
    }

    private func checkIn(_ connection: PostgresConnection) {
        condition.lock()
        if connection.isIdle {
            idle.append(connection)
        } else {
            openCount -= 1
        }
        condition.signal()
        condition.unlock()
    }
}
