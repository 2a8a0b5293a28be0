import Glibc

extension HTTPServer {
    /// Everything the server can be tuned with. Every limit and timeout is a named field here, never a
    /// number inside the logic (reference/swift-server-notes.md §6.3 gives the prior art for each default).
    public struct Configuration: Sendable {
        /// Address to bind: an IPv4 or IPv6 literal or a host name.
        public var host: String = "127.0.0.1"
        /// Port to bind; 0 picks a free one (read it back from `HTTPServer.port`).
        public var port: Int = 8888
        /// Parser limits: request line, header lines and section, field count, body size.
        public var limits = ParserLimits()
        /// The whole header section must arrive within this time of its first byte (or of the accept,
        /// for a connection's first request); otherwise 408 and close. Defeats slow-header attacks.
        public var headerTimeout: Duration = .seconds(10)
        /// Longest pause between two reads of a body; otherwise the connection is closed (RFC 9112 §6.3).
        public var bodyIdleTimeout: Duration = .seconds(30)
        /// How long an idle keep-alive connection is kept open between requests.
        public var keepAliveTimeout: Duration = .seconds(60)
        /// How long a response may take to be sent to a slow reader before the connection is dropped.
        public var sendTimeout: Duration = .seconds(30)
        /// After the final response on a closing connection, how long to keep reading (and discarding)
        /// before closing, so unread request bytes do not turn into a TCP reset (RFC 9112 §9.6).
        public var lingerTimeout: Duration = .seconds(2)
        /// On shutdown, how long in-flight requests may take before the server stops anyway.
        public var shutdownGracePeriod: Duration = .seconds(10)
        /// Worker threads: each waits for a readable connection and runs its handler. Idle connections
        /// hold none of them. More workers than cores only help while handlers wait on I/O; for CPU-bound
        /// requests they cost context switches (see docs/benchmarks.md, "HTTP server").
        public var workerCount: Int = max(4, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        /// Open connections at most; beyond it the server stops accepting until some close.
        public var maxConnections: Int = 10_000
        /// Requests served on one connection before it is closed (limits connection pinning).
        public var maxRequestsPerConnection: Int = 10_000
        /// The listen backlog.
        public var backlog: Int32 = 1024
        /// Whether to write one access-log line per request.
        public var accessLog: Bool = true

        /// The defaults above.
        public init() {}

        /// How often deadlines are checked: a quarter of the shortest timeout, between 10 and 250 ms.
        var sweepInterval: Duration {
            let shortest = [headerTimeout, bodyIdleTimeout, keepAliveTimeout, lingerTimeout].min() ?? .seconds(1)
            return min(max(shortest / 4, .milliseconds(10)), .milliseconds(250))
        }
    }
}
