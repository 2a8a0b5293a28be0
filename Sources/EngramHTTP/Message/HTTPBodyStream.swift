/// A response body produced incrementally, on the worker thread that serves the request.
///
/// The server calls `produce` once, after the handler returned, with a writer bound to the client's
/// connection. Every `write` goes out at once (one chunk) and blocks while the client's socket buffer is
/// full, so a producer runs exactly as fast as the client reads (back-pressure) and nothing is buffered
/// whole. A write fails with `HTTPBodyStreamClosed` when the client is gone, stops reading for longer than
/// the send timeout, or the server's shutdown grace period is over; the producer should then stop.
///
/// The status and fields are sent with the first write. Until then the producer may still refuse: an
/// error it throws before writing anything is answered instead of the stream (an `HTTPResponseError`
/// renders itself; any other error is a 500). An error thrown after the first write ends the connection
/// without the final chunk, so the client can tell the body is incomplete.
///
/// ```swift
/// HTTPResponse(stream: HTTPBodyStream { writer in
///     for line in lines { try writer.write(Array(line.utf8)) }
/// })
/// ```
public struct HTTPBodyStream: Sendable {
    let produce: @Sendable (any HTTPBodyWriter) throws -> Void

    /// A body that `produce` writes.
    public init(_ produce: @escaping @Sendable (any HTTPBodyWriter) throws -> Void) {
        self.produce = produce
    }
}

/// Where a streamed body is written; handed to `HTTPBodyStream`'s producer and used on its thread only.
public protocol HTTPBodyWriter: AnyObject {
    /// Sends `bytes` to the client now (an empty write sends nothing). Blocks while the client is slow to
    /// read; throws `HTTPBodyStreamClosed` once the response cannot go on.
    func write(_ bytes: [UInt8]) throws(HTTPBodyStreamClosed)
}

/// A streamed response cannot go on: the client disconnected, stopped reading for longer than the send
/// timeout, or the server is stopping.
public struct HTTPBodyStreamClosed: Error, Sendable, Equatable {
    /// Why the stream ended.
    public enum Reason: Sendable, Equatable {
        case clientGone
        case serverStopping
    }

    public let reason: Reason
}
