import Foundation

/// A durable asynchronous add (`async_mode: true`): queued, claimed by a job worker, finished with
/// its results or a failure reason. Never silently lost: a job a crash left running is claimed again
/// (up to `maxAttempts` in all) or failed with the reason.
public struct AddJob: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pending = "PENDING"
        case running = "RUNNING"
        case succeeded = "SUCCEEDED"
        case failed = "FAILED"
    }

    public var id: String
    public var project: String
    public var status: Status
    /// The add request as JSON (`AddRequest`'s `Codable` form), opaque to the store.
    public var payload: String
    /// `{"results": [...]}` as JSON once succeeded.
    public var results: String?
    /// Why it failed, client-safe.
    public var error: String?
    /// Claims so far, including the current one.
    public var attempts: Int
    public var createdAt: Date
    public var startedAt: Date?
    public var completedAt: Date?

    public init(
        id: String, project: String, status: Status = .pending, payload: String, results: String? = nil, error: String? = nil,
        attempts: Int = 0, createdAt: Date, startedAt: Date? = nil, completedAt: Date? = nil
    ) {
        self.id = id
        self.project = project
        self.status = status
        self.payload = payload
        self.results = results
        self.error = error
        self.attempts = attempts
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
    }
}

/// The end of a job, written in the same transaction as the memory changes it made, so a crash can
/// never leave changes applied but the job still pending (and run twice).
public struct JobCompletion: Sendable, Equatable {
    public var id: String
    public var status: AddJob.Status
    public var results: String?
    public var error: String?
    public var at: Date

    public init(id: String, status: AddJob.Status, results: String? = nil, error: String? = nil, at: Date) {
        self.id = id
        self.status = status
        self.results = results
        self.error = error
        self.at = at
    }
}

/// Durable storage of add jobs; part of every `MemoryStore`.
public protocol JobStore: Sendable {
    /// Stores a new pending job.
    func enqueueJob(_ job: AddJob) throws

    /// Claims the oldest pending job of any project: marks it RUNNING, counts the attempt, sets
    /// `started_at`. Safe when several processes claim at once (each job goes to one claimer).
    func claimJob(now: Date) throws -> AddJob?

    /// The job with this id in `project`.
    func job(id: String, project: String) throws -> AddJob?

    /// A page of the jobs of `project`, newest first.
    func jobs(project: String, page: Int, pageSize: Int) throws -> Page<AddJob>

    /// Finishes a job that made no memory changes (a failure, or nothing to add).
    func finishJob(_ completion: JobCompletion) throws

    /// Jobs left RUNNING since before `staleBefore` (their worker died): back to PENDING when they have
    /// had fewer than `maxAttempts` attempts, else FAILED with `reason`. Returns how many of each.
    func recoverJobs(staleBefore: Date, maxAttempts: Int, reason: String, now: Date) throws -> (requeued: Int, failed: Int)
}
