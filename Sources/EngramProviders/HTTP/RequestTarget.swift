import Foundation

/// The parts of a URL fit for logs and error messages: host (with any port) and path, without the
/// query (which some APIs use for keys) or user information.
struct RequestTarget: Sendable, Equatable {
    var host: String
    var path: String

    init(url: String) {
        let components = URLComponents(string: url)
        var host = components?.host ?? "unknown host"
        if let port = components?.port { host += ":\(port)" }
        self.host = host
        let path = components?.percentEncodedPath ?? ""
        self.path = path.isEmpty ? "/" : path
    }
}
