import EngramCore
import Synchronization

/// Idle libcurl handles, each checked out by one request at a time and returned afterwards, so the
/// connections kept alive inside a handle serve later requests on any thread.
///
/// The most recently returned handle goes out first: it is the one most likely to hold a live
/// connection. At most `capacity` idle handles are kept; extra ones are freed when returned.
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[CurlHandle]>([])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// An idle handle, or a new one when none is idle.
    func checkOut() throws(ProviderError) -> CurlHandle {
        if let handle = idle.withLock({ $0.popLast() }) { return handle }
        return try CurlHandle()
    }

    /// Returns a handle after its request finished.
    func checkIn(_ handle: CurlHandle) {
        idle.withLock { handles in
            if handles.count < capacity { handles.append(handle) }
        }
    }

    /// The number of idle handles.
    var idleCount: Int { idle.withLock { $0.count } }
}
