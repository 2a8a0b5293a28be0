import Dispatch

/// Work started on a Dispatch thread, whose result a caller collects later with `wait()`: for the
/// blocking halves of one request that can run side by side (see `MemoryService.search`). The work
/// runs even if nobody waits for it.
final class BackgroundTask<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the work item before it signals `done`; read after waiting on `done`.
    private var result: Result<Value, any Error>?

    init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = Result { try work() }
            done.signal()
        }
    }

    /// Blocks until the work has finished; its value, or its error. Call it once.
    func wait() throws -> Value {
        done.wait()
        guard let result else { preconditionFailure("background work finished without a result") }
        return try result.get()
    }
}
