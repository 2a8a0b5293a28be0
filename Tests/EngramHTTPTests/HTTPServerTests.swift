import Testing
@testable import EngramHTTP

/// The server over real sockets: persistence, pipelining, error responses and the fields on every response.
@Suite("HTTP server")
struct HTTPServerTests {
    @Test("keeps a connection alive across requests")
    func keepAlive() throws {
        try withTestServer { server in
            let client = try RawClient(port: server.port)
            for _ in 0..<3 {
                try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == #"{"status":"ok"}"#)
                #expect(response.header("connection") == nil)
            }
        }
    }

    @Test("answers pipelined requests in order")
    func pipelining() throws {
        try withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send(
                "GET /path/one HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                    + "GET /path/three HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nfour\r\n0\r\n\r\n")
            #expect(try client.readResponse().text == "one")
            #expect(try client.readResponse().text == "")
            #expect(try client.readResponse().text == "three")
            #expect(try client.readResponse().text == "four")
        }
    }

    @Test("answers the valid requests before an invalid one, then closes")
    func invalidAfterValid() throws {
        try withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /path/ok HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
            #expect(try client.readResponse().text == "ok")
            let error = try client.readResponse()
            #expect(error.status == 400)
            #expect(error.header("connection") == "close")
            #expect(error.text == #"{"detail":"Invalid Content-Length"}"#)
            #expect(client.closesWithin(.seconds(3)))
        }
    }

    @Test("puts Date, Content-Length and X-Request-ID on every response, errors included")
    func mandatoryFields() throws {
        try withTestServer { server in
            for request in ["GET /health HTTP/1.1\r\nHost: x\r\n\r\n", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
                            "BREW / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/2.0\r\n\r\n"] {
                let client = try RawClient(port: server.port)
                try client.send(request)
                let response = try client.readResponse()
                #expect(response.header("date")?.hasSuffix(" GMT") == true)
                #expect(response.header("content-length") == String(response.body.count))
                #expect(response.header("x-request-id")?.isEmpty == false)
            }
        }
    }

    @Test("echoes a valid X-Request-ID and replaces an unsafe one")
    func requestID() throws {
        try withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Request-ID: trace-42.a:b_c\r\n\r\n")
            #expect(try client.readResponse().header("x-request-id") == "trace-42.a:b_c")
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Request-ID: bad id<script>\r\n\r\n")
            let replaced = try client.readResponse().header("x-request-id")
            #expect(replaced != nil && replaced != "bad id<script>")
        }
    }

    @Test("answers HEAD with GET's fields and no body")
    func head() throws {
        try withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse(head: true)
            #expect(response.status == 200)
            #expect(response.header("content-length") == "15")
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            // Had HEAD sent a body, this would read its bytes instead of a status line.
            #expect(try client.readResponse().text == #"{"status":"ok"}"#)
        }
    }

    @Test("closes after a response to Connection: close, and HTTP/1.0 by default")
    func connectionClose() throws {
        try withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(try client.readResponse().header("connection") == "close")
            #expect(client.closesWithin(.seconds(3)))

            let old = try RawClient(port: server.port)
            try old.send("GET /health HTTP/1.0\r\n\r\n")
            #expect(try old.readResponse().status == 200)
            #expect(old.closesWithin(.seconds(3)))

            let kept = try RawClient(port: server.port)
            try kept.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try kept.readResponse().header("connection") == "keep-alive")
            try kept.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try kept.readResponse().status == 200)
        }
    }

    @Test("answers a half-closed client, then closes")
    func halfClose() throws {
        try withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send("GET /path/a HTTP/1.1\r\nHost: x\r\n\r\nGET /path/b HTTP/1.1\r\nHost: x\r\n\r\n")
            client.shutdownWrite()
            #expect(try client.readResponse().text == "a")
            #expect(try client.readResponse().text == "b")
            #expect(client.closesWithin(.seconds(3)))
        }
    }

    @Test("refuses oversize input with 414, 431 and 413 and keeps serving")
    func oversize() throws {
        try withTestServer { server in
            let cases: [(String, Int)] = [
                ("GET /" + String(repeating: "a", count: 10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
                ("GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Filler: " + String(repeating: "b", count: 4000) + "\r\n", count: 20) + "\r\n", 431),
                ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\n\r\n", 413),
            ]
            for (request, status) in cases {
                let client = try RawClient(port: server.port)
                try client.send(request)
                let response = try client.readResponse()
                #expect(response.status == status)
                #expect(response.header("connection") == "close")
            }
            let client = try RawClient(port: server.port)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test("sends 100 Continue only for a routable request, before the body")
    func expectContinue() throws {
        try withTestServer { server in
            let client = try RawClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            #expect(try client.readResponse().status == 100)
            try client.send("hello")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello")

            let refused = try RawClient(port: server.port)
            try refused.send("POST /missing HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let notFound = try refused.readResponse()
            #expect(notFound.status == 404)
            #expect(notFound.header("connection") == "close")

            let wrongMethod = try RawClient(port: server.port)
            try wrongMethod.send("PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let notAllowed = try wrongMethod.readResponse()
            #expect(notAllowed.status == 405)
            #expect(notAllowed.header("allow") == "POST")

            let unknown = try RawClient(port: server.port)
            try unknown.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 5\r\n\r\n")
            #expect(try unknown.readResponse().status == 417)
        }
    }

    @Test("survives clients that vanish mid-response (no SIGPIPE)")
    func vanishingClients() throws {
        try withTestServer { server in
            for _ in 0..<5 {
                let client = try RawClient(port: server.port)
                try client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
                var linger = linger(l_onoff: 1, l_linger: 0)
                setsockopt(client.descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
            }
            let client = try RawClient(port: server.port)
            try client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse(timeout: .seconds(10)).status == 200)
        }
    }
}

import Glibc
