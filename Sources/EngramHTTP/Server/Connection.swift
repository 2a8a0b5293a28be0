import Synchronization

/// One client connection. At any moment it is either parked (waiting for bytes in epoll, holding no
/// thread) or owned by exactly one worker (serving). A one-shot epoll registration hands a parked
/// connection to a single worker, and the `park` state below (behind a mutex, also read by the deadline
/// sweep) decides who owns it, so the worker-side fields are never touched by two threads at once.
final class Connection: @unchecked Sendable {
    /// Where a parked connection is in its request cycle; decides its deadline and what expiry means.
    enum Phase: Equatable {
        /// Waiting for a request: a fresh connection, or a kept-alive one between requests.
        case awaitingRequest
        /// Part of a request's header section has arrived.
        case receivingHead
        /// The head is complete and part of the body has arrived.
        case receivingBody
        /// The final response was sent and the write side shut; reading and discarding until close.
        case lingering
    }

    struct ParkState {
        var parked = false
        var closed = false
        var phase = Phase.awaitingRequest
        var deadline: Nanoseconds = 0
    }

    /// A process-unique id; the epoll registration carries it instead of the reusable descriptor.
    let id: UInt64
    let descriptor: Int32
    let acceptedAt: Nanoseconds
    let park = Mutex(ParkState())

    // Worker-side state (see the type's comment for why no lock guards it).
    var buffer: [UInt8] = []
    var parser: RequestParser
    /// When the first byte of the current request arrived, for the header timeout.
    var requestStartedAt: Nanoseconds?
    var lastReadAt: Nanoseconds
    var requestsServed = 0
    var sentContinue = false

    init(id: UInt64, descriptor: Int32, limits: ParserLimits, now: Nanoseconds) {
        self.id = id
        self.descriptor = descriptor
        self.acceptedAt = now
        self.lastReadAt = now
        self.parser = RequestParser(limits: limits)
    }

    /// The phase this connection parks in, judged from its buffered bytes and parser.
    var currentPhase: Phase {
        if buffer.isEmpty, parser.isAtRequestStart { return .awaitingRequest }
        return parser.pendingHead == nil ? .receivingHead : .receivingBody
    }

    /// When a connection parked in `phase` at `now` expires (RFC 9112 §6.3, §9.5 and the configured limits).
    func deadline(for phase: Phase, now: Nanoseconds, configuration: HTTPServer.Configuration) -> Nanoseconds {
        switch phase {
        case .awaitingRequest:
            requestsServed == 0
                ? acceptedAt + configuration.headerTimeout.nanoseconds
                : now + configuration.keepAliveTimeout.nanoseconds
        case .receivingHead:
            (requestStartedAt ?? now) + configuration.headerTimeout.nanoseconds
        case .receivingBody:
            lastReadAt + configuration.bodyIdleTimeout.nanoseconds
        case .lingering:
            now + configuration.lingerTimeout.nanoseconds
        }
    }
}
