import Glibc

extension HTTPServer {
    /// What sending one response did, for the connection loop and the access log.
    struct Sent {
        /// Whether the whole response reached the socket.
        var ok: Bool
        /// The status actually sent (a stream refused before its first byte sends its error's).
        var status: Int
        /// Body bytes sent.
        var bytes: Int
        /// Whether the connection may serve another request (a close-delimited body ends it).
        var keepAlive: Bool
    }

    /// Writes one response: a complete body within the send timeout, or a streamed one as it is produced.
    func send(
        _ response: HTTPResponse, on connection: Connection, requestID: String, head: HTTPRequestHead?, keepAlive: Bool,
        dates: DateCache
    ) -> Sent {
        switch response.body {
        case .bytes(let body):
            let omitBody = head?.method == .head
            let bytes = ResponseSerializer.serialize(
                response, requestID: requestID, date: dates.current(),
                omitBody: omitBody, keepAlive: keepAlive, version: head?.version ?? .http1_1)
            let deadline = MonotonicTime.now() + configuration.sendTimeout.nanoseconds
            let ok = Socket.write(connection.descriptor, bytes, deadline: deadline)
            return Sent(ok: ok, status: response.status.code, bytes: omitBody ? 0 : body.count, keepAlive: keepAlive)
        case .stream(let stream):
            return send(stream, of: response, on: connection, requestID: requestID, head: head, keepAlive: keepAlive, dates: dates)
        }
    }

    /// Runs a stream's producer into the connection. HTTP/1.1 gets chunks and keeps the connection;
    /// HTTP/1.0 cannot read chunks, so its body is delimited by closing the connection (RFC 9112 §6.3
    /// #8). HEAD, 204 and 304 get the head alone and the producer never runs (RFC 9110 §9.3.2).
    private func send(
        _ stream: HTTPBodyStream, of response: HTTPResponse, on connection: Connection, requestID: String,
        head: HTTPRequestHead?, keepAlive: Bool, dates: DateCache
    ) -> Sent {
        let version = head?.version ?? .http1_1
        let framing: ResponseSerializer.Framing = version == .http1_0 ? .closeDelimited : .chunked
        let sendTimeout = configuration.sendTimeout.nanoseconds
        if head?.method == .head || response.status.forbidsContent {
            let bytes = ResponseSerializer.head(
                response, framing: framing, requestID: requestID, date: dates.current(), keepAlive: keepAlive, version: version)
            let ok = Socket.write(connection.descriptor, bytes, deadline: MonotonicTime.now() + sendTimeout)
            return Sent(ok: ok, status: response.status.code, bytes: 0, keepAlive: keepAlive)
        }
        let streamKeepAlive = keepAlive && framing == .chunked
        let writer = StreamedBody(
            descriptor: connection.descriptor, framing: framing,
            head: ResponseSerializer.head(
                response, framing: framing, requestID: requestID, date: dates.current(), keepAlive: streamKeepAlive,
                version: version),
            sendTimeout: sendTimeout, stopDeadline: { [self] in streamStopDeadline.load(ordering: .relaxed) })
        do {
            try stream.produce(writer)
        } catch {
            guard !writer.committed, writer.failure == nil else {
                return Sent(ok: false, status: response.status.code, bytes: writer.bytesWritten, keepAlive: false)
            }
            let refusal: HTTPResponse
            if let error = error as? any HTTPResponseError {
                refusal = error.response(requestID: requestID)
            } else {
                logger.error("A streamed response failed before its first byte", metadata: [
                    "request_id": "\(requestID)", "error": "\(error)",
                ])
                refusal = .error(.internalServerError, detail: "Internal error")
            }
            return send(refusal, on: connection, requestID: requestID, head: head, keepAlive: keepAlive, dates: dates)
        }
        let ok = writer.finish()
        return Sent(ok: ok, status: response.status.code, bytes: writer.bytesWritten, keepAlive: streamKeepAlive)
    }
}
