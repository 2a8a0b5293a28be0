import EngramCore
import EngramHTTP
import Foundation
import Yams

/// The OpenAPI document, converted once from openapi.yaml (the source of truth, bundled as a resource)
/// and served as JSON at `/docs` and `/openapi.json`; `GET /` sends API clients there (ConsoleRoutes).
enum DocsRoutes {
    /// The document as JSON bytes, or nil if the bundled YAML cannot be read (a packaging error).
    static let document: [UInt8]? = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let text = try? String(contentsOf: url, encoding: .utf8),
              let tree = try? Yams.load(yaml: text),
              JSONSerialization.isValidJSONObject(tree),
              let data = try? JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return Array(data)
    }()

    static func register(on router: inout Router) {
        let serve: Router.Handler = { _ in
            guard let document else { return .error(.internalServerError, detail: "Internal error") }
            return .json(bytes: document)
        }
        router.add(.get, "/docs", serve)
        router.add(.get, "/openapi.json", serve)
    }
}
