import EngramHTTP
import Foundation
import Logging

/// Starts a real server on 127.0.0.1 with a free port, runs `body`, and always stops the server.
func withTestServer<T>(
    configure: (inout HTTPServer.Configuration) -> Void = { _ in },
    responder: any HTTPResponder = TestRoutes.router(),
    _ body: (HTTPServer) throws -> T
) throws -> T {
    var configuration = HTTPServer.Configuration()
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.workerCount = 4
    configuration.accessLog = false
    configure(&configuration)
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    let server = try HTTPServer(configuration: configuration, responder: responder, logger: logger)
    server.start()
    defer {
        server.shutdown()
        server.waitUntilStopped()
    }
    return try body(server)
}

/// Routes the live tests talk to.
enum TestRoutes {
    static func router() -> Router {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var router = Router(logger: logger)
        router.add(.get, "/health") { _ in .json(["status": "ok"]) }
        router.add(.post, "/echo") { request in HTTPResponse(body: request.body) }
        router.add(.get, "/path/{name}") { request in HTTPResponse(body: Array((request.pathParameters["name"] ?? "").utf8)) }
        router.add(.get, "/slow") { _ in
            Thread.sleep(forTimeInterval: 0.5)
            return HTTPResponse(body: Array("slow".utf8))
        }
        router.add(.get, "/big") { _ in HTTPResponse(body: [UInt8](repeating: 0x61, count: 32 * 1024 * 1024)) }
        return router
    }
}

/// Raises the soft descriptor limit to the hard one, for tests holding a thousand connections.
func raiseDescriptorLimit() -> Int {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    return Int(limit.rlim_cur)
}
