import CLibPQ
import EngramCore
import Foundation

/// One libpq connection. Owns its `PGconn` and frees it in deinit, even after a failed connect (libpq
/// allocates a handle either way). Statements are prepared once per connection (`PQprepare`) and then
/// executed by name with bound parameters; results come back in binary form.
///
/// Not thread-safe, as libpq requires: a connection is used by one thread at a time, which the
/// `ConnectionPool` guarantees by handing it to one borrower at a time.
final class PostgresConnection {
    private let handle: OpaquePointer
    /// Prepared statement names by SQL text and parameter types.
    private var prepared: [StatementKey: String] = [:]
    private let maxPreparedStatements: Int
    /// Receives a statement and its plan (`EXPLAIN`, with the same parameters) before each query runs;
    /// for tests that check the plans of the store's real SQL, never set in a server.
    typealias PlanObserver = @Sendable (_ sql: String, _ plan: String) -> Void
    var planObserver: PlanObserver?
    /// Run-time parameters `setParameter` set for the session.
    private var runtimeParameters: [String: String] = [:]
    /// Set when a call found the connection unusable; the pool then drops it.
    private(set) var isBroken = false

    private struct StatementKey: Hashable {
        var sql: String
        var types: [UInt32]
    }

    /// Connects to `url` (a `postgres://` URI or a libpq connection string).
    init(url: String, connectTimeout: Int, maxPreparedStatements: Int) throws {
        self.maxPreparedStatements = maxPreparedStatements
        // Defaults first: libpq lets the later `dbname` expansion (the URL) override them.
        let keywords = ["connect_timeout", "application_name", "dbname"]
        let values = [String(connectTimeout), "engram", url]
        let connection = Self.withCStrings(keywords) { keywordPointers in
            Self.withCStrings(values) { valuePointers in PQconnectdbParams(keywordPointers, valuePointers, 1) }
        }
        guard let connection else { throw MemoryError.storeUnavailable("libpq could not allocate a connection") }
        handle = connection
        guard PQstatus(handle) == CONNECTION_OK else {
            // deinit runs PQfinish; libpq's message names the host and port, never the password.
            let reason = Self.firstLine(PQerrorMessage(handle))
            throw MemoryError.storeUnavailable("Cannot connect to Postgres: \(reason)")
        }
        clibpq_discard_notices(handle)
    }

    deinit { PQfinish(handle) }

    /// Whether an idle connection still works: reads whatever the server sent meanwhile (a termination
    /// notice, end of file) without blocking, as libpq's socket is non-blocking, until nothing more is
    /// pending, then checks the state. A server that ended the session leaves the socket readable.
    func isUsable() -> Bool {
        guard !isBroken, PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) == PQTRANS_IDLE else { return false }
        for _ in 0..<4 {
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
                isBroken = true
                return false
            }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 0)
            if ready == 0 { return true }
            if ready < 0 || descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { break }
        }
        // Still readable after several reads while idle: the server is talking to a session that asked
        // nothing, which only happens when it is ending it.
        isBroken = true
        return false
    }

    /// Marks the connection unusable, so the pool closes it instead of lending it again.
    func discard() { isBroken = true }

    /// Sets a run-time parameter (`set_config`) unless the session already has that value from an earlier
    /// call. Inside a transaction the value lasts until its end (a rollback would undo a session value
    /// behind the cache's back); outside, for the session.
    func setParameter(_ name: String, to value: String) throws {
        let inTransaction = PQtransactionStatus(handle) != PQTRANS_IDLE
        if !inTransaction, runtimeParameters[name] == value { return }
        try execute("SELECT set_config($1, $2, $3)", [.text(name), .text(value), .bool(inTransaction)])
        runtimeParameters[name] = inTransaction ? nil : value
    }

    /// Whether the connection is outside any transaction (so it may go back to the pool).
    var isIdle: Bool { !isBroken && PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// Runs one statement with `parameters` bound to `$1`, `$2`, ... Statements are prepared and cached
    /// by text and parameter types, up to `maxPreparedStatements`; beyond that they run unnamed.
    @discardableResult
    func execute(_ sql: String, _ parameters: [PostgresParameter] = []) throws -> PostgresResult {
        if let planObserver, sql.hasPrefix("SELECT") || sql.hasPrefix("WITH") {
            let plan = try check(run(name: nil, sql: "EXPLAIN " + sql, parameters))
            planObserver(sql, (0..<plan.rowCount).compactMap { plan.text($0, 0) }.joined(separator: "\n"))
        }
        let types = parameters.map(\.type)
        let key = StatementKey(sql: sql, types: types)
        if let name = prepared[key] {
            return try check(run(name: name, sql: sql, parameters))
        }
        if prepared.count < maxPreparedStatements {
            let name = "engram_\(prepared.count + 1)"
            let preparation = types.withUnsafeBufferPointer { typePointer in
                PQprepare(handle, name, sql, Int32(types.count), typePointer.baseAddress)
            }
            _ = try check(preparation)
            prepared[key] = name
            return try check(run(name: name, sql: sql, parameters))
        }
        return try check(run(name: nil, sql: sql, parameters))
    }

    /// Runs SQL without parameters, possibly several statements (migrations, BEGIN, COMMIT).
    func executeScript(_ sql: String) throws {
        _ = try check(PQexec(handle, sql))
    }

    /// Executes the prepared statement `name`, or `sql` unnamed when `name` is nil, asking for binary results.
    private func run(name: String?, sql: String, _ parameters: [PostgresParameter]) -> OpaquePointer? {
        let count = parameters.count
        let values = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(count, 1))
        let lengths = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
        let formats = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
        var buffers: [UnsafeMutableRawBufferPointer] = []
        defer {
            buffers.forEach { $0.deallocate() }
            values.deallocate()
            lengths.deallocate()
            formats.deallocate()
        }
        for (index, parameter) in parameters.enumerated() {
            formats[index] = parameter.isBinary ? 1 : 0
            guard let bytes = parameter.bytes else {
                values[index] = nil
                lengths[index] = 0
                continue
            }
            // Text-form values are read as C strings: one spare zero byte ends them.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
            buffers.append(buffer)
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
            values[index] = UnsafePointer(buffer.baseAddress?.assumingMemoryBound(to: CChar.self))
            lengths[index] = Int32(bytes.count)
        }
        if let name {
            return PQexecPrepared(handle, name, Int32(count), values, lengths, formats, 1)
        }
        let types = parameters.map(\.type)
        return types.withUnsafeBufferPointer { typePointer in
            PQexecParams(handle, sql, Int32(count), typePointer.baseAddress, values, lengths, formats, 1)
        }
    }

    /// The result of a call, or the error it stands for. A lost connection marks this one broken.
    private func check(_ result: OpaquePointer?) throws -> PostgresResult {
        guard let result else {
            isBroken = PQstatus(handle) != CONNECTION_OK
            throw MemoryError.storeUnavailable("libpq returned no result")
        }
        let owned = PostgresResult(result)
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return owned
        default:
            let state = clibpq_result_sqlstate(result).map { String(cString: $0) }
            if PQstatus(handle) != CONNECTION_OK { isBroken = true }
            throw PostgresStoreError.classify(sqlState: state)
        }
    }

    private static func firstLine(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).split(separator: "\n").first.map(String.init) ?? "unknown error"
    }

    /// Calls `body` with a NULL-terminated array of C strings.
    private static func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { buffer in
            // A non-empty array always has a base address.
            body(buffer.baseAddress!)
        }
    }
}

// Not Sendable: libpq forbids two threads using one connection at once; the pool lends it to one.
@available(*, unavailable)
extension PostgresConnection: Sendable {}
