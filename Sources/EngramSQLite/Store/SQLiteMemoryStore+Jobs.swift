import EngramCore
import Foundation
import GRDB

extension SQLiteMemoryStore {
    static let jobColumns = "id, project, status, payload, results, error, attempts, created_at, started_at, completed_at"

    public func enqueueJob(_ job: AddJob) throws {
        try write { db in try Self.insert(job, db) }
    }

    /// Inserts a job inside a write transaction.
    static func insert(_ job: AddJob, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO jobs (id, project, status, payload, results, error, attempts, created_at, started_at, completed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                job.id, job.project, job.status.rawValue, job.payload, job.results, job.error, job.attempts,
                StoredTime.string(from: job.createdAt), job.startedAt.map(StoredTime.string(from:)),
                job.completedAt.map(StoredTime.string(from:)),
            ])
    }

    /// The oldest pending job, claimed inside the single write transaction, so no two claimers get it.
    public func claimJob(now: Date) throws -> AddJob? {
        // Idle workers poll: look with a reader first, so polling never takes the write lock.
        let pending = try read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 'PENDING')")) ?? false
        }
        guard pending else { return nil }
        return try write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.jobColumns) FROM jobs WHERE status = 'PENDING' ORDER BY seq LIMIT 1"))
            else { return nil }
            var job = try Self.job(from: row)
            job.status = .running
            job.attempts += 1
            job.startedAt = StoredTime.normalised(now)
            try db.cachedStatement(sql: "UPDATE jobs SET status = 'RUNNING', attempts = ?, started_at = ? WHERE id = ?")
                .execute(arguments: [job.attempts, StoredTime.string(from: now), job.id])
            return job
        }
    }

    public func job(id: String, project: String) throws -> AddJob? {
        try read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.jobColumns) FROM jobs WHERE id = ? AND project = ?"),
                arguments: [id, project]
            ).map(Self.job(from:))
        }
    }

    public func jobs(project: String, page: Int, pageSize: Int) throws -> Page<AddJob> {
        try self.page(
            Self.jobColumns, from: "jobs", where: SQLFragment("project = ?", [project.databaseValue]), order: "seq DESC", cached: true,
            page: page, pageSize: pageSize
        ) { rows, _ in try rows.map(Self.job(from:)) }
    }

    public func finishJob(_ completion: JobCompletion) throws {
        try write { db in try Self.finish(completion, db) }
    }

    public func recoverJobs(staleBefore: Date, maxAttempts: Int, reason: String, now: Date) throws -> (requeued: Int, failed: Int) {
        try write { db in
            let stale = StoredTime.string(from: staleBefore)
            try db.cachedStatement(sql: """
                UPDATE jobs SET status = 'FAILED', error = ?, completed_at = ?
                WHERE status = 'RUNNING' AND started_at < ? AND attempts >= ?
                """).execute(arguments: [reason, StoredTime.string(from: now), stale, maxAttempts])
            let failed = db.changesCount
            try db.cachedStatement(sql: """
                UPDATE jobs SET status = 'PENDING' WHERE status = 'RUNNING' AND started_at < ? AND attempts < ?
                """).execute(arguments: [stale, maxAttempts])
            return (db.changesCount, failed)
        }
    }

    /// Marks a running job finished; part of the caller's transaction.
    static func finish(_ completion: JobCompletion, _ db: Database) throws {
        try db.cachedStatement(sql: """
            UPDATE jobs SET status = ?, results = ?, error = ?, completed_at = ? WHERE id = ? AND status = 'RUNNING'
            """).execute(arguments: [
                completion.status.rawValue, completion.results, completion.error, StoredTime.string(from: completion.at),
                completion.id,
            ])
        guard db.changesCount == 1 else { throw MemoryError.notFound(completion.id) }
    }

    static func job(from row: Row) throws -> AddJob {
        func time(_ column: String) -> Date? { (row[column] as String?).flatMap(StoredTime.date(from:)) }
        guard let status = AddJob.Status(rawValue: row["status"]), let created = time("created_at") else {
            throw SQLiteStoreError(code: 0, description: "A job row has an unknown status or time")
        }
        return AddJob(
            id: row["id"], project: row["project"], status: status, payload: row["payload"], results: row["results"],
            error: row["error"], attempts: row["attempts"], createdAt: created, startedAt: time("started_at"),
            completedAt: time("completed_at"))
    }
}
