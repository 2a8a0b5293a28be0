import CLinux
import Dispatch
import Foundation
import Logging
import Synchronization

/// Engram's HTTP/1.1 server on POSIX sockets.
///
/// A fixed set of worker threads share one epoll set holding the listener and every parked connection
/// (one-shot registrations, one event per wait, so each readable connection goes to exactly one
/// worker). The worker that gets a connection reads, parses, calls the responder, writes the response and
/// parks the connection back in epoll. An idle keep-alive connection therefore holds no thread, and a slow
/// client only ever holds a worker while a response is being written (bounded by `sendTimeout` per
/// write; a streamed response holds its worker while it is produced). A
/// housekeeping thread enforces the header, body, keep-alive and linger deadlines and runs the drain on
/// shutdown.
///
/// ```swift
/// let server = try HTTPServer(configuration: configuration, responder: router, logger: logger)
/// server.start()
/// server.waitUntilStopped()   // returns after shutdown() and the drain
/// ```
public final class HTTPServer: Sendable {
    /// The configuration the server runs with.
    public let configuration: Configuration
    /// The port actually bound (useful when configured with port 0).
    public let port: Int

    let responder: any HTTPResponder
    let logger: Logger
    let accessLog: AccessLog?
    let dates = DateCache()
    let listener: Int32
    let epoll: Int32
    let wake: Int32
    /// When accepting is paused (descriptor or connection limit), the time to try again.
    let acceptPausedUntil = Mutex<Nanoseconds?>(nil)
    /// Every open connection by id. Accepting inserts; whoever closes a connection removes it.
    let connections = ConnectionRegistry()
    let nextConnectionID = Atomic<UInt64>(1)
    let stopping = Atomic<Bool>(false)
    /// The end of the shutdown grace period once shutdown began (`.max` before): streamed responses
    /// stop writing then, so a long stream cannot hold the shutdown past it.
    let streamStopDeadline = Atomic<Nanoseconds>(.max)
    private let started = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)
    /// Wakes the housekeeping thread early (on shutdown).
    let housekeepingWake = DispatchSemaphore(value: 0)

    static let listenerToken: UInt64 = 0
    static let wakeToken: UInt64 = .max

    /// Binds the listening socket; nothing is served until `start()`.
    public init(configuration: Configuration, responder: any HTTPResponder, logger: Logger) throws {
        // A peer that closes early must never kill the process (writes also pass MSG_NOSIGNAL).
        signal(SIGPIPE, SIG_IGN)
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.accessLog = configuration.accessLog ? AccessLog(logger: logger) : nil
        let (listener, port) = try Socket.listen(
            host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        let wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epoll >= 0, wake >= 0 else {
            let error = SocketError(epoll < 0 ? "epoll_create1" : "eventfd")
            Glibc.close(listener)
            if epoll >= 0 { Glibc.close(epoll) }
            if wake >= 0 { Glibc.close(wake) }
            throw error
        }
        self.listener = listener
        self.port = port
        self.epoll = epoll
        self.wake = wake
        Self.register(epoll: epoll, descriptor: listener, token: Self.listenerToken, oneShot: true)
        Self.register(epoll: epoll, descriptor: wake, token: Self.wakeToken, oneShot: false)
    }

    /// Starts the worker threads and the housekeeping thread. Call once.
    public func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let workers = DispatchGroup()
        for index in 0..<max(1, configuration.workerCount) {
            workers.enter()
            let thread = Thread { [self] in
                runWorker()
                workers.leave()
            }
            thread.name = "engram-http-\(index)"
            thread.start()
        }
        let housekeeper = Thread { [self] in
            runHousekeeping()
            // The wake descriptor stays readable (it is never drained), so every worker sees it and exits.
            var one: UInt64 = 1
            _ = Glibc.write(wake, &one, MemoryLayout<UInt64>.size)
            workers.wait()
            Glibc.close(epoll)
            Glibc.close(wake)
            Glibc.close(listener)
            stopped.signal()
        }
        housekeeper.name = "engram-http-housekeeping"
        housekeeper.start()
    }

    /// Begins a graceful stop: no new connections, idle ones closed, in-flight requests given up to
    /// `shutdownGracePeriod` to finish. Safe to call from any thread, more than once.
    public func shutdown() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        housekeepingWake.signal()
    }

    /// Blocks until the server has stopped. Call from a thread that may block, never from async code.
    public func waitUntilStopped() {
        stopped.wait()
        stopped.signal()
    }

    /// The number of open connections.
    public var connectionCount: Int { connections.count }

    static func register(epoll: Int32, descriptor: Int32, token: UInt64, oneShot: Bool, modify: Bool = false) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | (oneShot ? EPOLLONESHOT.rawValue : 0)
        event.data.u64 = token
        epoll_ctl(epoll, modify ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, descriptor, &event)
    }
}
