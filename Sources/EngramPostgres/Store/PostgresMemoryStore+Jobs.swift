import EngramCore
import Foundation

extension PostgresMemoryStore {
    static let jobColumns = "id, project, status, payload, results, error, attempts, created_at, started_at, completed_at"

    /// Stores a new job.
    public func enqueueJob(_ job: AddJob) throws {
        try withConnection { connection in try Self.insert(job, connection) }
    }

    /// Inserts a job on `connection` (inside a transaction when it has one open).
    static func insert(_ job: AddJob, _ connection: PostgresConnection) throws {
        try connection.execute(
            "INSERT INTO jobs (\(Self.jobColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            [
                .text(job.id), .text(job.project), .text(job.status.rawValue), .text(job.payload), .text(job.results),
                .text(job.error), .int8(job.attempts), .timestamp(job.createdAt), .timestamp(job.startedAt),
                .timestamp(job.completedAt),
            ])
    }

    /// Claims the oldest pending job. `FOR UPDATE SKIP LOCKED` lets several instances claim at once:
    /// each locks a different row, and a row another claimer holds is passed over, not waited for.
    public func claimJob(now: Date) throws -> AddJob? {
        try withConnection { connection in
            let result = try connection.execute(
                """
                UPDATE jobs SET status = 'RUNNING', attempts = attempts + 1, started_at = $1
                WHERE seq = (
                    SELECT seq FROM jobs WHERE status = 'PENDING' ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED
                )
                RETURNING \(Self.jobColumns)
                """, [.timestamp(now)])
            return result.rowCount == 0 ? nil : try Self.job(from: result, row: 0)
        }
    }

    /// The job with this id in `project`.
    public func job(id: String, project: String) throws -> AddJob? {
        try withConnection { connection in
            let result = try connection.execute(
                "SELECT \(Self.jobColumns) FROM jobs WHERE id = $1 AND project = $2", [.text(id), .text(project)])
            return result.rowCount == 0 ? nil : try Self.job(from: result, row: 0)
        }
    }

    public func jobs(project: String, page: Int, pageSize: Int) throws -> Page<AddJob> {
        var query = BoundQuery()
        let condition = "project = \(query.bind(.text(project)))"
        return try self.page(Self.jobColumns, from: "jobs", where: condition, order: "seq DESC", query: query, page: page, pageSize: pageSize) {
            result, _ in try (0..<result.rowCount).map { try Self.job(from: result, row: $0) }
        }
    }

    /// Finishes a running job that made no memory changes; `MemoryError.notFound` when it is not running.
    public func finishJob(_ completion: JobCompletion) throws {
        try withConnection { connection in try Self.finish(completion, connection) }
    }

    /// Jobs left RUNNING since before `staleBefore`: back to PENDING under `maxAttempts` attempts, else
    /// FAILED with `reason`, in one transaction.
    public func recoverJobs(staleBefore: Date, maxAttempts: Int, reason: String, now: Date) throws -> (requeued: Int, failed: Int) {
        try transaction { connection in
            let failed = try connection.execute(
                """
                UPDATE jobs SET status = 'FAILED', error = $1, completed_at = $2
                WHERE status = 'RUNNING' AND started_at < $3 AND attempts >= $4
                """, [.text(reason), .timestamp(now), .timestamp(staleBefore), .int8(maxAttempts)]
            ).affectedRows
            let requeued = try connection.execute(
                "UPDATE jobs SET status = 'PENDING' WHERE status = 'RUNNING' AND started_at < $1 AND attempts < $2",
                [.timestamp(staleBefore), .int8(maxAttempts)]
            ).affectedRows
            return (requeued, failed)
        }
    }

    /// Marks a running job finished; part of the caller's transaction when called from `apply`.
    static func finish(_ completion: JobCompletion, _ connection: PostgresConnection) throws {
        let result = try connection.execute(
            "UPDATE jobs SET status = $1, results = $2, error = $3, completed_at = $4 WHERE id = $5 AND status = 'RUNNING'",
            [
                .text(completion.status.rawValue), .text(completion.results), .text(completion.error),
                .timestamp(completion.at), .text(completion.id),
            ])
        guard result.affectedRows == 1 else { throw MemoryError.notFound(completion.id) }
    }

    static func job(from result: PostgresResult, row: Int) throws -> AddJob {
        guard let status = AddJob.Status(rawValue: try result.requiredText(row, 2)) else { throw PostgresStoreError.malformedRow }
        return AddJob(
            id: try result.requiredText(row, 0), project: try result.requiredText(row, 1), status: status,
            payload: try result.requiredText(row, 3), results: result.text(row, 4), error: result.text(row, 5),
            attempts: try result.requiredInt(row, 6), createdAt: try result.requiredDate(row, 7),
            startedAt: try result.date(row, 8), completedAt: try result.date(row, 9))
    }
}
