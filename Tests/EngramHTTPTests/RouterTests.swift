import Logging
import Testing
@testable import EngramHTTP

/// Routing without sockets: the router is a plain responder.
@Suite("Router")
struct RouterTests {
    struct Boom: Error {}

    private func router() -> Router {
        var router = Router(logger: Logger(label: "test"))
        router.add(.get, "/memories") { _ in HTTPResponse(body: Array("list".utf8)) }
        router.add(.post, "/memories") { _ in HTTPResponse(status: .created) }
        router.add(.get, "/memories/{id}") { request in HTTPResponse(body: Array("id=\(request.pathParameters["id"]!)".utf8)) }
        router.add(.get, "/memories/{id}/history") { request in HTTPResponse(body: Array("history=\(request.pathParameters["id"]!)".utf8)) }
        router.add(.get, "/memories/export") { _ in HTTPResponse(body: Array("export".utf8)) }
        router.add(.delete, "/entities/{type}/{id}") { request in
            HTTPResponse(body: Array("\(request.pathParameters["type"]!):\(request.pathParameters["id"]!)".utf8))
        }
        router.add(.get, "/teapot") { _ in throw HTTPError(.conflict, "Already brewing") }
        router.add(.get, "/crash") { _ in throw Boom() }
        return router
    }

    private func call(_ method: HTTPMethod, _ target: String) -> HTTPResponse {
        let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
        let head = HTTPRequestHead(
            method: method, target: target, path: path, query: nil, version: .http1_1,
            headers: ["Host": "x"], framing: .none, expectsContinue: false, keepAlive: true)
        return router().respond(to: HTTPRequest(head: head, id: "test"))
    }

    private func text(_ response: HTTPResponse) -> String { String(decoding: response.bytes, as: UTF8.self) }

    @Test("matches static paths with and without a trailing slash")
    func staticPaths() {
        #expect(text(call(.get, "/memories")) == "list")
        #expect(text(call(.get, "/memories/")) == "list")
        #expect(call(.post, "/memories/").status == .created)
    }

    @Test("captures percent-decoded parameters")
    func parameters() {
        #expect(text(call(.get, "/memories/abc-123")) == "id=abc-123")
        #expect(text(call(.get, "/memories/a%20b%2Fc/history/")) == "history=a b/c")
        #expect(text(call(.delete, "/entities/user/alice")) == "user:alice")
    }

    @Test("prefers a literal segment over a parameter")
    func literalWins() {
        #expect(text(call(.get, "/memories/export")) == "export")
    }

    @Test("answers 404 for an unknown path and 405 with Allow for a known one")
    func notFoundAndNotAllowed() {
        let missing = call(.get, "/nothing")
        #expect(missing.status == .notFound)
        #expect(text(missing) == #"{"detail":"Not found"}"#)
        let wrong = call(.put, "/memories")
        #expect(wrong.status == .methodNotAllowed)
        #expect(wrong.headers["Allow"] == "GET, HEAD, POST")
        #expect(call(.get, "/memories/a/b/c").status == .notFound)
    }

    @Test("runs GET handlers for HEAD")
    func headFallsBackToGet() {
        #expect(text(call(.head, "/memories")) == "list")
    }

    @Test("rejects malformed percent-encoding with 400")
    func malformedEscape() {
        #expect(call(.get, "/memories/%zz").status == .badRequest)
        #expect(call(.get, "/memories/%C3").status == .badRequest)
    }

    @Test("renders thrown HTTP errors and hides unknown ones behind a bare 500")
    func errors() {
        let conflict = call(.get, "/teapot")
        #expect(conflict.status == .conflict)
        #expect(text(conflict) == #"{"detail":"Already brewing"}"#)
        let crash = call(.get, "/crash")
        #expect(crash.status == .internalServerError)
        #expect(text(crash) == #"{"detail":"Internal error"}"#)
    }

    @Test("lets a routable request's body come and refuses the others up front")
    func preflight() {
        let router = router()
        func head(_ method: HTTPMethod, _ path: String) -> HTTPRequestHead {
            HTTPRequestHead(method: method, target: path, path: path, query: nil, version: .http1_1,
                            headers: ["Host": "x"], framing: .length(3), expectsContinue: true, keepAlive: true)
        }
        #expect(router.preflight(head(.post, "/memories"), requestID: "r") == nil)
        #expect(router.preflight(head(.post, "/nothing"), requestID: "r")?.status == .notFound)
        #expect(router.preflight(head(.patch, "/memories"), requestID: "r")?.status == .methodNotAllowed)
    }
}
