import CLinux
import Glibc

/// Thin, typed wrappers over the POSIX socket calls the server makes. Every descriptor is non-blocking
/// and close-on-exec; writes use MSG_NOSIGNAL so a closed peer never raises SIGPIPE.
enum Socket {
    /// Binds and listens on `host:port`, returning the descriptor and the bound port.
    static func listen(host: String, port: Int, backlog: Int32) throws -> (descriptor: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var info: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &info)
        guard status == 0, let first = info else {
            throw SocketError("getaddrinfo(\(host))", code: status == EAI_SYSTEM ? errno : EINVAL)
        }
        defer { freeaddrinfo(info) }

        let descriptor = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError("socket") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let error = SocketError("bind(\(host):\(port))")
            close(descriptor)
            throw error
        }
        guard Glibc.listen(descriptor, backlog) == 0 else {
            let error = SocketError("listen")
            close(descriptor)
            throw error
        }
        return (descriptor, try boundPort(descriptor))
    }

    private static func boundPort(_ descriptor: Int32) throws -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard status == 0 else { throw SocketError("getsockname") }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        default:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        }
    }

    /// Accepts one pending connection as a non-blocking descriptor with TCP_NODELAY, or nil when none
    /// is pending. Throws on real failures (EMFILE and friends).
    static func accept(_ listener: Int32) throws -> Int32? {
        while true {
            let descriptor = clinux_accept_nonblocking(listener)
            if descriptor >= 0 {
                var one: Int32 = 1
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return descriptor
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw SocketError("accept4")
            }
        }
    }

    /// The outcome of one read.
    enum ReadResult {
        case bytes(Int)
        case wouldBlock
        case endOfStream
        case failed
    }

    /// The most one read takes from the socket.
    static let readChunkSize = 64 * 1024

    /// Reads what is available (at most `readChunkSize` bytes) and appends it to `buffer`.
    static func read(_ descriptor: Int32, appendingTo buffer: inout [UInt8]) -> ReadResult {
        let chunk = readChunkSize
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk) { scratch in
            while true {
                let count = recv(descriptor, scratch.baseAddress, chunk, 0)
                if count > 0 {
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[0..<count]))
                    return .bytes(count)
                }
                if count == 0 { return .endOfStream }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return .wouldBlock
                default: return .failed
                }
            }
        }
    }

    /// Sends every byte before `deadline`, waiting for writability when the socket buffer is full.
    /// Returns false if the peer is gone or too slow.
    static func write(_ descriptor: Int32, _ bytes: [UInt8], deadline: Nanoseconds) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent > 0 {
                    offset += sent
                    continue
                }
                guard sent < 0 else { return false }
                switch errno {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    guard waitWritable(descriptor, deadline: deadline) else { return false }
                default:
                    return false
                }
            }
            return true
        }
    }

    private static func waitWritable(_ descriptor: Int32, deadline: Nanoseconds) -> Bool {
        while true {
            let now = MonotonicTime.now()
            guard now < deadline else { return false }
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let milliseconds = Int32(min((deadline - now) / 1_000_000 + 1, 60_000))
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return entry.revents & Int16(POLLOUT) != 0 }
            if ready < 0, errno != EINTR { return false }
        }
    }
}
