import EngramCore
import Foundation
import Synchronization
import Testing

/// The durable job queue, on every store.
@Suite struct JobContractTests {
    @Test(arguments: StoreKind.allCases)
    func jobsAreClaimedOldestFirstOnceAndFinished(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let first = Sample.job(at: 0)
            let second = Sample.job(project: "p2", at: 1)
            try store.enqueueJob(first)
            try store.enqueueJob(second)
            #expect(try store.job(id: first.id, project: "default") == first)
            #expect(try store.job(id: first.id, project: "p2") == nil)

            let claimed = try #require(try store.claimJob(now: Sample.time(10)))
            #expect(claimed.id == first.id)
            #expect(claimed.status == .running && claimed.attempts == 1 && claimed.startedAt == Sample.time(10))
            #expect(try store.job(id: first.id, project: "default") == claimed)
            #expect(try store.claimJob(now: Sample.time(11))?.id == second.id)
            #expect(try store.claimJob(now: Sample.time(12)) == nil)

            try store.finishJob(JobCompletion(id: first.id, status: .failed, error: "no model", at: Sample.time(20)))
            let failed = try #require(try store.job(id: first.id, project: "default"))
            #expect(failed.status == .failed && failed.error == "no model" && failed.completedAt == Sample.time(20))
            #expect(throws: MemoryError.notFound(first.id)) {
                try store.finishJob(JobCompletion(id: first.id, status: .succeeded, at: Sample.time(21)))
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aCompletedJobIsWrittenWithItsChangesOrNotAtAll(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let job = Sample.job()
            try store.enqueueJob(job)
            _ = try store.claimJob(now: Sample.time(1))

            var failing = Sample.inserting([Sample.memory("will roll back")])
            failing.deletions = ["no-such-memory"]
            failing.completedJob = JobCompletion(id: job.id, status: .succeeded, results: #"{"results": []}"#, at: Sample.time(2))
            #expect(throws: MemoryError.notFound("no-such-memory")) { try store.apply(failing) }
            #expect(try store.job(id: job.id, project: "default")?.status == .running)
            #expect(try store.ids(project: "default", filter: .all).isEmpty)

            let memory = Sample.memory("kept with the job")
            var changes = Sample.inserting([memory])
            changes.completedJob = JobCompletion(id: job.id, status: .succeeded, results: #"{"results": [1]}"#, at: Sample.time(3))
            try store.apply(changes)
            let done = try #require(try store.job(id: job.id, project: "default"))
            #expect(done.status == .succeeded && done.results == #"{"results": [1]}"#)
            #expect(try store.ids(project: "default", filter: .all) == [memory.id])

            var again = Sample.inserting([Sample.memory("a second run")])
            again.completedJob = changes.completedJob
            #expect(throws: MemoryError.notFound(job.id)) { try store.apply(again) }
            #expect(try store.ids(project: "default", filter: .all) == [memory.id])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func staleJobsAreRequeuedOrFailed(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, _ in
            let young = Sample.job(at: 0)
            let old = Sample.job(at: 1)
            let fresh = Sample.job(at: 2)
            for job in [young, old, fresh] { try store.enqueueJob(job) }
            _ = try store.claimJob(now: Sample.time(10))
            _ = try store.claimJob(now: Sample.time(10))
            _ = try store.claimJob(now: Sample.time(50))
            #expect(try store.recoverJobs(staleBefore: Sample.time(20), maxAttempts: 3, reason: "worker died", now: Sample.time(30)) == (2, 0))
            _ = try store.claimJob(now: Sample.time(60))
            _ = try store.claimJob(now: Sample.time(60))
            let result = try store.recoverJobs(staleBefore: Sample.time(100), maxAttempts: 2, reason: "worker died", now: Sample.time(110))
            #expect(result.requeued == 1 && result.failed == 2)
            let statuses = try [young, old, fresh].map { try store.job(id: $0.id, project: "default")?.status }
            #expect(statuses == [.failed, .failed, .pending])
            #expect(try store.job(id: young.id, project: "default")?.error == "worker died")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentClaimersNeverShareAJob(kind: StoreKind) throws {
        try StoreFixture.run(kind) { store, fixture in
            let jobs = (0..<40).map { Sample.job(at: Double($0)) }
            for job in jobs { try store.enqueueJob(job) }
            let other = try fixture.open()
            let claimed = Mutex<[String]>([])
            let errors = Mutex<[String]>([])
            let group = DispatchGroup()
            for worker in 0..<6 {
                let claimer = worker % 2 == 0 ? store : other
                group.enter()
                Thread {
                    defer { group.leave() }
                    while true {
                        do {
                            guard let job = try claimer.claimJob(now: Date()) else { return }
                            claimed.withLock { $0.append(job.id) }
                        } catch {
                            errors.withLock { $0.append(String(describing: error)) }
                            return
                        }
                    }
                }.start()
            }
            group.wait()
            #expect(errors.withLock { $0 }.isEmpty)
            let ids = claimed.withLock { $0 }
            #expect(ids.count == jobs.count)
            #expect(Set(ids) == Set(jobs.map(\.id)))
        }
    }
}
