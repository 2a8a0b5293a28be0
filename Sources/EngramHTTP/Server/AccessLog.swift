import Logging

/// One line per request on the server's logger: method, path (no query), status, bytes sent, duration
/// and request id. Never bodies, query strings or authorization fields.
struct AccessLog: Sendable {
    let logger: Logger

    func record(method: String, path: String, status: Int, bytes: Int, started: Nanoseconds, requestID: String) {
        let elapsed = Double(MonotonicTime.now() - started) / 1_000_000
        let milliseconds = (elapsed * 1000).rounded() / 1000
        logger.info("\(method) \(path) \(status) \(bytes)B \(milliseconds)ms", metadata: ["request_id": "\(requestID)"])
    }
}
