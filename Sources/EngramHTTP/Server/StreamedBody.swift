/// The writer a streamed body is produced into, bound to one connection for one response.
///
/// The response head waits for the first write, so a producer that fails before writing anything can
/// still be answered with an error. Each write is sent at once (TCP_NODELAY is on), chunk-framed for
/// HTTP/1.1 and raw for a close-delimited HTTP/1.0 body, within the send timeout of that write and never
/// past the shutdown deadline. Used on the serving worker's thread only.
final class StreamedBody: HTTPBodyWriter {
    private let descriptor: Int32
    private let framing: ResponseSerializer.Framing
    private let sendTimeout: Nanoseconds
    /// When the server stops streaming (the end of the shutdown grace period), or `.max`.
    private let stopDeadline: () -> Nanoseconds
    /// The status line and fields, until the first write sends them.
    private var pendingHead: [UInt8]?
    /// Body bytes written so far (without chunk framing).
    private(set) var bytesWritten = 0
    /// Why writing stopped, once it did; every later write fails the same way.
    private(set) var failure: HTTPBodyStreamClosed?

    init(
        descriptor: Int32, framing: ResponseSerializer.Framing, head: [UInt8], sendTimeout: Nanoseconds,
        stopDeadline: @escaping () -> Nanoseconds
    ) {
        self.descriptor = descriptor
        self.framing = framing
        self.pendingHead = head
        self.sendTimeout = sendTimeout
        self.stopDeadline = stopDeadline
    }

    /// Whether the head has gone out (the response can no longer be replaced).
    var committed: Bool { pendingHead == nil }

    func write(_ bytes: [UInt8]) throws(HTTPBodyStreamClosed) {
        if let failure { throw failure }
        guard !bytes.isEmpty else { return }
        var wire = pendingHead ?? []
        pendingHead = nil
        wire += framing == .chunked ? ResponseSerializer.chunk(bytes) : bytes
        try send(wire)
        bytesWritten += bytes.count
    }

    /// Ends the body: the head if nothing was written, and the last chunk when chunked. False if the
    /// client could not be written to.
    func finish() -> Bool {
        guard failure == nil else { return false }
        var wire = pendingHead ?? []
        pendingHead = nil
        if framing == .chunked { wire += ResponseSerializer.lastChunk }
        guard !wire.isEmpty else { return true }
        do {
            try send(wire)
            return true
        } catch {
            return false
        }
    }

    private func send(_ wire: [UInt8]) throws(HTTPBodyStreamClosed) {
        let now = MonotonicTime.now()
        let stop = stopDeadline()
        guard now < stop else { throw fail(.serverStopping) }
        let deadline = min(now + sendTimeout, stop)
        guard Socket.write(descriptor, wire, deadline: deadline) else {
            throw fail(MonotonicTime.now() >= stop ? .serverStopping : .clientGone)
        }
    }

    private func fail(_ reason: HTTPBodyStreamClosed.Reason) -> HTTPBodyStreamClosed {
        let error = HTTPBodyStreamClosed(reason: reason)
        failure = error
        return error
    }
}
