import Foundation

extension MemoryService {
    /// Queues an add to run in the background (`async_mode`). The request is checked first, so what
    /// would be refused now is refused now; the job is durable once this returns.
    public func enqueueAdd(_ request: AddRequest) throws -> AddJob {
        try validate(request)
        let payload = try JSONEncoder().encode(request)
        let job = AddJob(id: Self.newID(), project: project, payload: String(decoding: payload, as: UTF8.self), createdAt: now())
        try store.enqueueJob(job)
        jobSignal.notify()
        return job
    }

    /// The async add with this id.
    public func job(id: String) throws -> AddJob {
        guard let job = try store.job(id: id, project: project) else { throw MemoryError.eventNotFound(id) }
        return job
    }

    /// Jobs left RUNNING by a process that died: queued again, or failed after `maxJobAttempts`.
    func recoverInterruptedJobs() throws -> (requeued: Int, failed: Int) {
        try store.recoverJobs(
            staleBefore: now().addingTimeInterval(-(configuration.jobLease ?? 0)), maxAttempts: configuration.maxJobAttempts,
            reason: "The server stopped while this add was running, \(configuration.maxJobAttempts) times", now: now())
    }

    /// Whether abandoned jobs must be looked for while running (several processes share the store).
    var recoversPeriodically: Bool { configuration.jobLease != nil
    }

    /// Claims and runs one job; false when none was pending. A provider failure or bad input fails the
    /// job with its reason; a store failure leaves it RUNNING, to be recovered.
    func runNextJob(log: @Sendable (String) -> Void) throws -> Bool {
        guard let job = try store.claimJob(now: now()) else { return false }
        let failure: String
        do {
            if let profiles = ProfileJobRequest.from(job) {
                try inProject(job.project).runProfileJob(job, profiles)
                return true
            }
            let request = try JSONDecoder().decode(AddRequest.self, from: Data(job.payload.utf8))
            _ = try inProject(job.project).add(request, job: .finishes(job.id))
            return true
        } catch let error as ProviderError {
            failure = "\(error.code.rawValue): \(error.message)"
        } catch let error as MemoryError {
            if case .storeUnavailable = error { throw error }
            failure = error.message
        } catch is DecodingError {
            failure = "The stored request could not be read"
        } catch {
            failure = "Internal error"
            log("Add job \(job.id) failed: \(error)")
        }
        try store.finishJob(JobCompletion(id: job.id, status: .failed, error: failure, at: now()))
        return true
    }
}
