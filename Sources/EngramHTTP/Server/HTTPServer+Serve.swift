import Glibc

extension HTTPServer {
    /// What to do with a connection once its buffered bytes are handled.
    enum Disposition {
        /// Wait for more bytes.
        case needMore
        /// The final response was sent: shut the write side and linger (RFC 9112 §9.6).
        case finish
        /// The peer is gone or too slow: close now.
        case drop
    }

    /// Serves a readable connection on a worker thread: reads what is there, answers every complete
    /// request in order (pipelining), then parks the connection or closes it.
    func serve(_ connection: Connection, dates: DateCache) {
        while true {
            switch Socket.read(connection.descriptor, appendingTo: &connection.buffer) {
            case .bytes(let count):
                connection.lastReadAt = MonotonicTime.now()
                switch handleBuffered(connection, dates: dates) {
                case .needMore:
                    // A short read drained the socket: park now rather than spend a read on EAGAIN;
                    // epoll reports anything that arrives in the meantime.
                    if count < Socket.readChunkSize {
                        return park(connection, phase: connection.currentPhase, now: connection.lastReadAt)
                    }
                case .finish: return finish(connection)
                case .drop: return close(connection)
                }
            case .wouldBlock:
                return park(connection, phase: connection.currentPhase, now: MonotonicTime.now())
            case .endOfStream, .failed:
                // Everything complete was answered before this read; a partial request cannot finish.
                return close(connection)
            }
        }
    }

    /// Parses and answers the requests in the connection's buffer.
    func handleBuffered(_ connection: Connection, dates: DateCache) -> Disposition {
        while !connection.buffer.isEmpty {
            if connection.parser.isAtRequestStart, connection.requestStartedAt == nil {
                connection.requestStartedAt = MonotonicTime.now()
            }
            let started = connection.requestStartedAt ?? MonotonicTime.now()
            switch connection.parser.parse(connection.buffer) {
            case .needMore:
                return answerExpectation(connection, dates: dates)
            case .error(let error):
                let response = HTTPResponse.error(error.status, detail: error.reason)
                let requestID = RequestID.resolve(nil)
                let sent = send(response, on: connection, requestID: requestID, head: nil, keepAlive: false, dates: dates)
                accessLog?.record(
                    method: "-", path: "-", status: sent.status, bytes: sent.bytes, started: started, requestID: requestID)
                return sent.ok ? .finish : .drop
            case .complete(var request, let consumed):
                connection.buffer.removeFirst(consumed)
                connection.requestStartedAt = nil
                connection.sentContinue = false
                connection.requestsServed += 1
                request.id = RequestID.resolve(request.headers["x-request-id"])
                let response = responder.respond(to: request)
                let keepAlive = request.head.keepAlive
                    && !stopping.load(ordering: .relaxed)
                    && connection.requestsServed < configuration.maxRequestsPerConnection
                let sent = send(response, on: connection, requestID: request.id, head: request.head, keepAlive: keepAlive, dates: dates)
                accessLog?.record(
                    method: request.method.rawValue, path: request.path, status: sent.status, bytes: sent.bytes,
                    started: started, requestID: request.id)
                if !sent.ok { return .drop }
                if !sent.keepAlive { return .finish }
            }
        }
        return .needMore
    }

    /// Answers `Expect: 100-continue` once the head is in and before the body is read: 100 when the
    /// responder accepts the request, otherwise its final response and the end of the connection
    /// (RFC 9110 §10.1.1).
    private func answerExpectation(_ connection: Connection, dates: DateCache) -> Disposition {
        guard let head = connection.parser.pendingHead, head.expectsContinue, !connection.sentContinue else {
            return .needMore
        }
        connection.sentContinue = true
        let requestID = RequestID.resolve(head.headers["x-request-id"])
        if let rejection = responder.preflight(head, requestID: requestID) {
            let sent = send(rejection, on: connection, requestID: requestID, head: head, keepAlive: false, dates: dates)
            accessLog?.record(
                method: head.method.rawValue, path: head.path, status: sent.status, bytes: sent.bytes,
                started: connection.requestStartedAt ?? MonotonicTime.now(), requestID: requestID)
            return sent.ok ? .finish : .drop
        }
        let deadline = MonotonicTime.now() + configuration.sendTimeout.nanoseconds
        return Socket.write(connection.descriptor, ResponseSerializer.continueResponse, deadline: deadline)
            ? .needMore : .drop
    }

    /// After the final response: shut the write side, then keep reading until the client closes or the
    /// linger timeout passes, so unread request bytes do not reset the connection (RFC 9112 §9.6).
    private func finish(_ connection: Connection) {
        Glibc.shutdown(connection.descriptor, Int32(SHUT_WR))
        connection.buffer = []
        park(connection, phase: .lingering, now: MonotonicTime.now())
    }
}
