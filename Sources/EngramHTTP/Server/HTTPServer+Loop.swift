import CLinux
import Foundation

extension HTTPServer {
    /// The event loop: accepts, dispatches readable connections to workers, sweeps expired deadlines,
    /// and drains on shutdown. Runs on the loop thread only.
    func runLoop() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        let sweepEvery = configuration.sweepInterval.nanoseconds
        var nextSweep = MonotonicTime.now() + sweepEvery
        var acceptPausedUntil: Nanoseconds?
        var drainDeadline: Nanoseconds?

        while true {
            let now = MonotonicTime.now()
            let waitMilliseconds = Int32(nextSweep > now ? (nextSweep - now) / 1_000_000 + 1 : 0)
            let count = epoll_wait(epoll, &events, Int32(events.count), waitMilliseconds)
            if count < 0, errno != EINTR {
                logger.critical("epoll_wait failed: \(SocketError("epoll_wait"))")
                return
            }
            for index in 0..<max(0, Int(count)) {
                let token = events[index].data.u64
                switch token {
                case Self.listenerToken:
                    acceptPausedUntil = acceptConnections()
                case Self.wakeToken:
                    var value: UInt64 = 0
                    _ = read(wake, &value, MemoryLayout<UInt64>.size)
                default:
                    activate(token)
                }
            }

            let time = MonotonicTime.now()
            if stopping.load(ordering: .acquiring), drainDeadline == nil {
                drainDeadline = time + configuration.shutdownGracePeriod.nanoseconds
                epoll_ctl(epoll, EPOLL_CTL_DEL, listener, nil)
                logger.info("Shutting down: no new connections; waiting for in-flight requests")
                nextSweep = time
            }
            if let paused = acceptPausedUntil, time >= paused, drainDeadline == nil {
                acceptPausedUntil = nil
                Self.register(epoll: epoll, descriptor: listener, token: Self.listenerToken, oneShot: false)
            }
            if time >= nextSweep {
                sweep(now: time, draining: drainDeadline != nil)
                nextSweep = time + sweepEvery
            }
            if let deadline = drainDeadline {
                if connectionCount == 0 { return }
                if time >= deadline {
                    logger.warning("Shutdown grace period over; closing \(connectionCount) connection(s)")
                    closeParked { _ in true }
                    return
                }
            }
        }
    }

    /// Accepts every pending connection. Returns when accepting should resume if it had to pause
    /// (descriptor or connection limit reached), else nil.
    private func acceptConnections() -> Nanoseconds? {
        while true {
            if connectionCount >= configuration.maxConnections {
                return pauseAccepting(reason: "connection limit \(configuration.maxConnections) reached")
            }
            let descriptor: Int32
            do {
                guard let accepted = try Socket.accept(listener) else { return nil }
                descriptor = accepted
            } catch {
                return pauseAccepting(reason: "\(error)")
            }
            let now = MonotonicTime.now()
            let id = nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
            let connection = Connection(id: id, descriptor: descriptor, limits: configuration.limits, now: now)
            connections.withLock { $0[id] = connection }
            park(connection, phase: .awaitingRequest, now: now, register: true)
        }
    }

    private func pauseAccepting(reason: String) -> Nanoseconds {
        logger.warning("Pausing accept: \(reason)")
        epoll_ctl(epoll, EPOLL_CTL_DEL, listener, nil)
        return MonotonicTime.now() + 100_000_000
    }

    /// A parked connection became readable: lingering ones are drained here, others go to a worker.
    private func activate(_ id: UInt64) {
        guard let connection = connections.withLock({ $0[id] }) else { return }
        let phase: Connection.Phase? = connection.park.withLock { state in
            guard state.parked, !state.closed else { return nil }
            state.parked = false
            return state.phase
        }
        guard let phase else { return }
        if phase == .lingering {
            discardInput(connection)
        } else {
            pool.submit { [self] in serve(connection) }
        }
    }

    /// Reads and drops what a closing client still sends; closes at end of stream.
    private func discardInput(_ connection: Connection) {
        var scratch: [UInt8] = []
        while true {
            scratch.removeAll(keepingCapacity: true)
            switch Socket.read(connection.descriptor, appendingTo: &scratch) {
            case .bytes: continue
            case .wouldBlock: return repark(connection)
            case .endOfStream, .failed: return close(connection)
            }
        }
    }

    /// Parks a lingering connection again without extending its deadline.
    private func repark(_ connection: Connection) {
        connection.park.withLock { state in
            guard !state.closed else { return }
            state.parked = true
            Self.register(epoll: epoll, descriptor: connection.descriptor, token: connection.id, oneShot: true, modify: true)
        }
    }

    /// Closes parked connections whose deadline passed; while draining, also every idle or lingering one. A request
    /// cut off mid-head or mid-body gets a best-effort 408 first (RFC 9110 §15.5.9).
    private func sweep(now: Nanoseconds, draining: Bool) {
        closeParked { state in
            if draining, state.phase == .awaitingRequest || state.phase == .lingering { return true }
            return now >= state.deadline
        } beforeClose: { [self] connection, phase in
            guard phase == .receivingHead || phase == .receivingBody else { return }
            let response = HTTPResponse.error(.requestTimeout, detail: "Request not received in time")
            let bytes = ResponseSerializer.serialize(
                response, requestID: RequestID.resolve(nil), date: dates.current(),
                omitBody: false, keepAlive: false, version: .http1_1)
            _ = Socket.write(connection.descriptor, bytes, deadline: 0)
        }
    }

    /// Closes every parked connection whose state satisfies `shouldClose`.
    private func closeParked(
        where shouldClose: (Connection.ParkState) -> Bool,
        beforeClose: (Connection, Connection.Phase) -> Void = { _, _ in }
    ) {
        let all = connections.withLock { Array($0.values) }
        for connection in all {
            let phase: Connection.Phase? = connection.park.withLock { state in
                guard state.parked, !state.closed, shouldClose(state) else { return nil }
                state.parked = false
                return state.phase
            }
            guard let phase else { continue }
            beforeClose(connection, phase)
            close(connection)
        }
    }

    /// Hands a connection back to epoll until it is readable or its deadline for `phase` passes.
    func park(_ connection: Connection, phase: Connection.Phase, now: Nanoseconds, register: Bool = false) {
        let deadline = connection.deadline(for: phase, now: now, configuration: configuration)
        connection.park.withLock { state in
            guard !state.closed else { return }
            state.phase = phase
            state.deadline = deadline
            state.parked = true
            Self.register(epoll: epoll, descriptor: connection.descriptor, token: connection.id, oneShot: true, modify: !register)
        }
    }

    /// Closes a connection for good and forgets it.
    func close(_ connection: Connection) {
        let wasOpen = connection.park.withLock { state in
            guard !state.closed else { return false }
            state.closed = true
            state.parked = false
            epoll_ctl(epoll, EPOLL_CTL_DEL, connection.descriptor, nil)
            Glibc.close(connection.descriptor)
            return true
        }
        if wasOpen { _ = connections.withLock { $0.removeValue(forKey: connection.id) } }
    }
}
