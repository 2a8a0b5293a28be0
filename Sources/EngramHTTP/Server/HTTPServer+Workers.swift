import CLinux
import Foundation

extension HTTPServer {
    /// A worker: waits on the shared epoll set for one event at a time and handles it: new connections
    /// on the listener, or a parked connection that became readable. Returns once the server finished.
    func runWorker() {
        // Each worker formats Date headers with its own cache, so workers never contend for it.
        let dates = DateCache()
        var event = epoll_event()
        while true {
            let count = epoll_wait(epoll, &event, 1, -1)
            if count < 0 {
                if errno == EINTR { continue }
                logger.critical("epoll_wait failed: \(SocketError("epoll_wait"))")
                return
            }
            guard count == 1 else { continue }
            switch event.data.u64 {
            case Self.wakeToken: return
            case Self.listenerToken: acceptConnections()
            default: activate(event.data.u64, dates: dates)
            }
        }
    }

    /// Deadlines and shutdown: sweeps expired parked connections, resumes a paused accept, and on
    /// shutdown drains until no connection is left or the grace period is over.
    func runHousekeeping() {
        let sweepEvery = configuration.sweepInterval
        var drainDeadline: Nanoseconds?
        while true {
            _ = housekeepingWake.wait(timeout: .now() + .nanoseconds(Int(sweepEvery.nanoseconds)))
            let now = MonotonicTime.now()
            if drainDeadline == nil, stopping.load(ordering: .acquiring) {
                drainDeadline = now + configuration.shutdownGracePeriod.nanoseconds
                streamStopDeadline.store(now + configuration.shutdownGracePeriod.nanoseconds, ordering: .relaxed)
                epoll_ctl(epoll, EPOLL_CTL_DEL, listener, nil)
                logger.info("Shutting down: no new connections; waiting for in-flight requests")
            }
            if drainDeadline == nil { resumeAcceptingIfDue(now) }
            sweep(now: now, draining: drainDeadline != nil)
            if let deadline = drainDeadline {
                if connectionCount == 0 { return }
                if MonotonicTime.now() >= deadline {
                    logger.warning("Shutdown grace period over; closing \(connectionCount) connection(s)")
                    closeParked { _ in true }
                    return
                }
            }
        }
    }

    /// Accepts every pending connection, then re-arms the listener unless accepting must pause
    /// (descriptor or connection limit reached) or the server is stopping.
    private func acceptConnections() {
        while true {
            if connectionCount >= configuration.maxConnections {
                return pauseAccepting(reason: "connection limit \(configuration.maxConnections) reached")
            }
            let descriptor: Int32
            do {
                guard let accepted = try Socket.accept(listener) else { break }
                descriptor = accepted
            } catch {
                return pauseAccepting(reason: "\(error)")
            }
            let now = MonotonicTime.now()
            let id = nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
            let connection = Connection(id: id, descriptor: descriptor, limits: configuration.limits, now: now)
            connections.insert(connection)
            park(connection, phase: .awaitingRequest, now: now, register: true)
        }
        if !stopping.load(ordering: .acquiring) {
            Self.register(epoll: epoll, descriptor: listener, token: Self.listenerToken, oneShot: true, modify: true)
        }
    }

    private func pauseAccepting(reason: String) {
        logger.warning("Pausing accept for 100 ms: \(reason)")
        acceptPausedUntil.withLock { $0 = MonotonicTime.now() + 100_000_000 }
    }

    private func resumeAcceptingIfDue(_ now: Nanoseconds) {
        let due = acceptPausedUntil.withLock { paused -> Bool in
            guard let until = paused, now >= until else { return false }
            paused = nil
            return true
        }
        if due { Self.register(epoll: epoll, descriptor: listener, token: Self.listenerToken, oneShot: true, modify: true) }
    }

    /// A parked connection became readable: take it over and serve it (or drain it, if lingering).
    private func activate(_ id: UInt64, dates: DateCache) {
        guard let connection = connections[id] else { return }
        let phase: Connection.Phase? = connection.park.withLock { state in
            guard state.parked, !state.closed else { return nil }
            state.parked = false
            return state.phase
        }
        switch phase {
        case .none: return
        case .lingering: discardInput(connection)
        default: serve(connection, dates: dates)
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

    /// Closes parked connections whose deadline passed; while draining, also every idle or lingering one.
    /// A request cut off mid-head or mid-body gets a best-effort 408 first (RFC 9110 §15.5.9).
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
        for connection in connections.all {
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
    /// Re-arming reports bytes that are already waiting, so nothing that arrived meanwhile is missed.
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
        if wasOpen { connections.remove(connection.id) }
    }
}
