import Dispatch
import EngramHTTP
import Foundation
import Logging
import Synchronization

/// A scriptable stand-in for LLM and embedding providers: a real HTTP server (Engram's own) on
/// 127.0.0.1 with a free port, so clients are tested through their real HTTP stack.
///
/// Each path has a queue of canned replies, used once each in order, and an optional fallback reply
/// used once the queue is empty; any other request gets the server-wide default (404 unless set).
/// Every request is recorded. Replies may be computed from the request (`Reply.dynamic`) and may be
/// delayed; a delayed reply is cut short when the server stops, so stopping is always quick.
///
/// ```swift
/// try FakeProviderServer.run { fake in
///     fake.enqueue(.status(500), .openAIChat(content: #"{"operations": []}"#), on: FakeProviderServer.Path.openAIChat)
///     fake.setFallback(.openAIEmbeddings(dimension: 8), on: FakeProviderServer.Path.openAIEmbeddings)
///     // ... point a client at fake.openAIBaseURL ...
///     let sent = fake.requests(on: FakeProviderServer.Path.openAIChat)
///     #expect(sent.last?.json["model"] as? String == "gpt-4.1-mini")
/// }
/// ```
///
/// Safe to use from any thread.
public final class FakeProviderServer: Sendable {
    /// The paths of the provider APIs the reply helpers answer.
    public enum Path {
        /// OpenAI-compatible chat under `openAIBaseURL`.
        public static let openAIChat = "/v1/chat/completions"
        /// OpenAI-compatible embeddings under `openAIBaseURL`.
        public static let openAIEmbeddings = "/v1/embeddings"
        /// Anthropic's Messages API under `baseURL`.
        public static let anthropicMessages = "/v1/messages"
        /// Ollama's native embedding API under `baseURL`.
        public static let ollamaEmbed = "/api/embed"
    }

    /// The bound port on 127.0.0.1.
    public let port: Int
    private let server: HTTPServer
    private let responder: Responder
    private let stopped = Atomic<Bool>(false)

    /// `http://127.0.0.1:<port>`: the root for Anthropic and Ollama clients.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// `http://127.0.0.1:<port>/v1`: the base URL for OpenAI-compatible clients.
    public var openAIBaseURL: String { "\(baseURL)/v1" }

    /// Starts a server on a free port of 127.0.0.1. Call `stop()` when done (or use `run`).
    public init() throws {
        var configuration = HTTPServer.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.workerCount = 8
        configuration.accessLog = false
        configuration.shutdownGracePeriod = .seconds(2)
        var logger = Logger(label: "fake-provider")
        logger.logLevel = .critical
        let responder = Responder()
        let server = try HTTPServer(configuration: configuration, responder: responder, logger: logger)
        responder.server.withLock { $0 = server }
        self.responder = responder
        self.server = server
        self.port = server.port
        server.start()
    }

    /// Starts a server, runs `body` with it, and stops it whatever happens.
    public static func run<T>(_ body: (FakeProviderServer) throws -> T) throws -> T {
        let fake = try FakeProviderServer()
        defer { fake.stop() }
        return try body(fake)
    }

    /// Stops the server: delayed replies are cut short, connections closed. Safe to call more than once.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        responder.running.leave()
        server.shutdown()
        server.waitUntilStopped()
        // Breaks the server ↔ responder reference cycle.
        responder.server.withLock { $0 = nil }
    }

    // MARK: Scripting

    /// Queues replies for requests on `path` (without query), used once each in order.
    public func enqueue(_ replies: Reply..., on path: String) {
        enqueue(replies, on: path)
    }

    /// Queues replies for requests on `path` (without query), used once each in order.
    public func enqueue(_ replies: [Reply], on path: String) {
        responder.state.withLock { $0.routes[path, default: Script.Route()].queue.append(contentsOf: replies) }
    }

    /// The reply for requests on `path` once its queue is empty, used as often as needed.
    public func setFallback(_ reply: Reply, on path: String) {
        responder.state.withLock { $0.routes[path, default: Script.Route()].fallback = reply }
    }

    /// The reply for requests on a path with nothing scripted (by default a 404 with an OpenAI-style
    /// error body).
    public func setDefault(_ reply: Reply) {
        responder.state.withLock { $0.defaultReply = reply }
    }

    // MARK: Observing

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] {
        responder.state.withLock { $0.received }
    }

    /// The requests received on `path` (without query), in arrival order.
    public func requests(on path: String) -> [RecordedRequest] {
        requests.filter { $0.path == path }
    }

    /// Connections open right now.
    public var openConnections: Int { server.connectionCount }
}

extension FakeProviderServer {
    /// What the server has been told to answer, and what it has received.
    struct Script {
        struct Route {
            var queue: [Reply] = []
            var fallback: Reply?
        }

        var routes: [String: Route] = [:]
        var defaultReply = Reply.error(status: 404, message: "No reply scripted for this path", type: "not_found")
        var received: [RecordedRequest] = []

        /// Records `request` and takes the reply for it.
        mutating func take(for request: RecordedRequest) -> Reply {
            received.append(request)
            guard var route = routes[request.path] else { return defaultReply }
            if !route.queue.isEmpty {
                let reply = route.queue.removeFirst()
                routes[request.path] = route
                return reply
            }
            return route.fallback ?? defaultReply
        }
    }

    /// Answers requests from the script on the server's worker threads.
    final class Responder: HTTPResponder {
        let state = Mutex(Script())
        /// Entered at creation and left at stop, so every delayed reply waiting on it wakes at stop.
        let running = DispatchGroup()
        /// The server, once created, so requests can note how many connections were open.
        let server = Mutex<HTTPServer?>(nil)

        init() {
            running.enter()
        }

        func respond(to request: HTTPRequest) -> HTTPResponse {
            let openConnections = server.withLock { $0?.connectionCount ?? 0 }
            let recorded = RecordedRequest(request, openConnections: openConnections)
            var reply = state.withLock { $0.take(for: recorded) }
            while let build = reply.build { reply = build(recorded) }
            if reply.delay > .zero { pause(reply.delay) }
            return reply.response { [self] in pause($0) }
        }

        /// Sleeps for `duration`, returning early when the server stops (the group is left then).
        func pause(_ duration: Duration) {
            _ = running.wait(timeout: .now() + .nanoseconds(Int(duration.nanosecondsCapped)))
        }
    }
}

extension Duration {
    /// The duration in nanoseconds, capped at a day (enough for any test delay).
    var nanosecondsCapped: Int64 {
        let (seconds, attoseconds) = components
        let day: Int64 = 86_400
        return min(seconds, day) * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
