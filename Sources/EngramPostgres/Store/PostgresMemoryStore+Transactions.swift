import EngramCore

extension PostgresMemoryStore {
    /// Runs `body` in a transaction on one connection: committed when it returns, rolled back when it
    /// throws. A deadlock or serialization failure (SQLSTATE 40P01, 40001) reruns the whole transaction,
    /// up to `transactionAttempts` in all; nothing of a failed attempt was committed.
    func transaction<T>(readOnlySnapshot: Bool = false, _ body: (PostgresConnection) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try pool.withConnection { connection in try Self.inTransaction(connection, readOnlySnapshot: readOnlySnapshot, body) }
            } catch let error as PostgresStoreError where error.isTransient && attempt < configuration.transactionAttempts {
                attempt += 1
            }
        }
    }

    /// Runs `body` on a connection for a read of `keys` of `project` (nil: not bound to one scope): on
    /// the replica when one is configured, the caller allows it and it holds this instance's writes to
    /// those scopes; else on the primary.
    func read<T>(project: String, keys: Set<String>?, _ body: (PostgresConnection) throws -> T) throws -> T {
        guard let readRouter else { return try withConnection(body) }
        return try readRouter.read(project: project, keys: keys, primary: { try withConnection(body) }, replica: body)
    }

    /// `read` inside one read-only repeatable-read transaction, so every statement of `body` sees one snapshot.
    func readSnapshot<T>(project: String, keys: Set<String>?, _ body: (PostgresConnection) throws -> T) throws -> T {
        guard let readRouter else { return try transaction(readOnlySnapshot: true, body) }
        return try readRouter.read(
            project: project, keys: keys, primary: { try transaction(readOnlySnapshot: true, body) },
            replica: { connection in try Self.inTransaction(connection, readOnlySnapshot: true, body) })
    }

    /// `body` between BEGIN (a read-only repeatable-read snapshot, or a plain transaction) and COMMIT on
    /// `connection`, rolled back when it throws.
    private static func inTransaction<T>(
        _ connection: PostgresConnection, readOnlySnapshot: Bool, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        try connection.executeScript(readOnlySnapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
        do {
            let value = try body(connection)
            try connection.executeScript("COMMIT")
            return value
        } catch {
            // A broken connection is dropped by the pool; the server rolls its work back.
            if !connection.isBroken { try? connection.executeScript("ROLLBACK") }
            throw error
        }
    }

    /// After a committed write to `keys` of `project`: with a replica, notes the primary's WAL position so
    /// this instance's later reads of those scopes wait for the replica to replay it (or use the primary).
    func recordWrite(project: String, keys: Set<String>?) {
        guard let readRouter else { return }
        // The insert position (not the write position, which an asynchronous commit may not have passed
        // yet) is at or past the write's commit record. When it cannot be read (the primary
        // failed just after the commit), the reads that follow fail over to it as well.
        guard let position = (try? withConnection({ connection in
            try connection.execute("SELECT pg_current_wal_insert_lsn()::text").text(0, 0).flatMap(ReadRouter.position)
        })) ?? nil else { return }
        readRouter.recordWrite(project: project, keys: keys, position: position)
    }

    /// Runs `body` with a connection, outside any explicit transaction (each statement commits alone).
    @discardableResult
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try pool.withConnection(body)
    }

    /// Checks a page request and returns its row offset (nil when it lies beyond any possible row).
    func offset(page: Int, pageSize: Int) throws -> Int? {
        guard page >= 1 else { throw MemoryError.invalid("page must be at least 1") }
        guard pageSize >= 1 else { throw MemoryError.invalid("page_size must be at least 1") }
        let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: pageSize)
        return overflow ? nil : offset
    }

    /// One page of the rows of `table` (with its alias) matching `condition`, bound in `query`, and the
    /// number of all matches, from one snapshot: `columns` (read through `joins`) ordered by `order`,
    /// turned into items by `decode`. A page beyond the last match reads nothing but the count. With a
    /// `project`, the read may go to the replica (`read`), for the scopes of `keys`.
    func page<Item>(
        _ columns: String, from table: String, joins: String = "", where condition: String, order: String, query: BoundQuery,
        page: Int, pageSize: Int, project: String? = nil, keys: Set<String>? = nil,
        decode: (PostgresResult, PostgresConnection) throws -> [Item]
    ) throws -> Page<Item> {
        let offset = try offset(page: page, pageSize: pageSize)
        let body = { (connection: PostgresConnection) throws -> Page<Item> in
            let total = try connection.execute("SELECT count(*) FROM \(table) WHERE \(condition)", query.parameters).requiredInt(0, 0)
            guard let offset, offset < total else { return Page(items: [], total: total, page: page, pageSize: pageSize) }
            var paged = query
            let limit = paged.bind(.int8(pageSize))
            let skip = paged.bind(.int8(offset))
            let result = try connection.execute(
                "SELECT \(columns) FROM \(table) \(joins) WHERE \(condition) ORDER BY \(order) LIMIT \(limit) OFFSET \(skip)",
                paged.parameters)
            return Page(items: try decode(result, connection), total: total, page: page, pageSize: pageSize)
        }
        // A page of a project's memories, history or graph may come from the replica; others (jobs) not.
        guard let project else { return try transaction(readOnlySnapshot: true, body) }
        return try readSnapshot(project: project, keys: keys, body)
    }

    /// The WHERE condition over `memories m` for a project, a filter and a visibility, bound into `query`.
    /// A visibility `asOf` a time replaces the state condition.
    func memoryCondition(project: String, filter: Filter, visibility: Visibility?, into query: inout BoundQuery) throws -> String {
        var parts = ["m.project = \(query.bind(.text(project)))"]
        if let visibility {
            if let asOf = visibility.asOf {
                // Held at `asOf`: observed by then (memories stored before observation times: their
                // creation) and not superseded by then.
                let time = query.bind(.timestamp(asOf))
                parts.append("coalesce(m.observed_at, m.created_at) <= \(time) AND (m.superseded_at IS NULL OR m.superseded_at > \(time))")
            } else if !visibility.includeSuperseded {
                parts.append("m.state = 'active'")
            }
            if !visibility.showExpired {
                parts.append("(m.expiration_date IS NULL OR m.expiration_date >= \(query.bind(.text(visibility.today))))")
            }
        }
        parts.append(try FilterCompiler.memories.compile(filter, into: &query))
        return parts.joined(separator: " AND ")
    }
}

extension PostgresStoreError {
    /// Whether rerunning the transaction may succeed: a deadlock or a serialization failure.
    var isTransient: Bool { sqlState == "40P01" || sqlState == "40001" }
}
