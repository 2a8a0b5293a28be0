import Crypto
import EngramHTTP
import Foundation

/// The web console (`/ui/`): a few static files bundled with the binary, read once at start. The files
/// load without a key; every datum the console shows comes from the REST API, with the key the user
/// signs in with, under the same rules as any client. The headers keep the page from running anything
/// but its own script: a strict Content-Security-Policy (no inline script or style, no eval, no framing),
/// `nosniff` and no referrer.
enum ConsoleRoutes {
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
        /// A strong validator: the first 16 bytes of the content's SHA-256, hex.
        let etag: String
    }

    /// The bundled files by the path they are served at.
    static let assets: [String: Asset] = {
        let files: [(path: String, file: String, type: String)] = [
            ("/ui", "index.html", "text/html; charset=utf-8"),
            ("/ui/console.js", "console.js", "text/javascript; charset=utf-8"),
            ("/ui/console.css", "console.css", "text/css; charset=utf-8"),
            ("/ui/favicon.svg", "favicon.svg", "image/svg+xml"),
        ]
        var assets: [String: Asset] = [:]
        for entry in files {
            let name = entry.file as NSString
            guard let url = Bundle.module.url(
                forResource: name.deletingPathExtension, withExtension: name.pathExtension, subdirectory: "console"),
                let data = try? Data(contentsOf: url)
            else { continue }
            let digest = SHA256.hash(data: data).prefix(16).map { String(format: "%02x", $0) }.joined()
            assets[entry.path] = Asset(bytes: Array(data), contentType: entry.type, etag: "\"\(digest)\"")
        }
        return assets
    }()

    /// The paths served without a key.
    static let openPaths: Set<String> = ["/ui", "/ui/console.js", "/ui/console.css", "/ui/favicon.svg", "/favicon.ico"]

    /// What every console response carries. `connect-src 'self'`: the script talks to this server only.
    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]

    static func register(on router: inout Router) {
        for path in assets.keys {
            router.add(.get, path) { serve(path, $0) }
        }
        router.add(.get, "/favicon.ico") { serve("/ui/favicon.svg", $0) }
        // Browsers (which ask for HTML) go to the console; API clients and curl to the OpenAPI document.
        router.add(.get, "/") { request in
            let accept = request.head.headers["accept"] ?? ""
            let target = accept.contains("text/html") ? "/ui/" : "/docs"
            return HTTPResponse(status: .temporaryRedirect, headers: ["Location": target, "Vary": "Accept"])
        }
    }

    static func serve(_ path: String, _ request: HTTPRequest) -> HTTPResponse {
        guard let asset = assets[path] else {
            return .error(.internalServerError, detail: "Internal error")
        }
        var headers = HTTPHeaders()
        for (name, value) in securityHeaders { headers.add(name: name, value: value) }
        headers.add(name: "ETag", value: asset.etag)
        // Revalidated on every load, so a new binary's console is never mixed with an old cached one.
        headers.add(name: "Cache-Control", value: "no-cache")
        if let tags = request.head.headers["if-none-match"],
           tags.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            return HTTPResponse(status: .notModified, headers: headers)
        }
        headers.add(name: "Content-Type", value: asset.contentType)
        return HTTPResponse(status: .ok, headers: headers, body: asset.bytes)
    }
}
