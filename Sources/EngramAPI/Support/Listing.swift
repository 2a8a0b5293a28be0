import EngramCore
import EngramHTTP

/// The paginated envelope of API.md: `{"results", "count", "page", "page_size", "next"}`, where `next`
/// is the same request for the following page, or null.
enum Listing {
    static let defaultPageSize = 100

    static func response<Item>(_ page: Page<Item>, request: HTTPRequest, render: (Item) -> JSONValue) -> HTTPResponse {
        var next: JSONValue = .null
        if page.hasNext {
            var items = request.queryItems.filter { $0.name != "page" }
            items.append((name: "page", value: String(page.page + 1)))
            let query = items.map { "\(encode($0.name))=\(encode($0.value))" }.joined(separator: "&")
            next = .string("\(request.path)?\(query)")
        }
        let body: JSONValue = .object([
            "results": .array(page.items.map(render)),
            "count": .number(Double(page.total)),
            "page": .number(Double(page.page)),
            "page_size": .number(Double(page.pageSize)),
            "next": next,
        ])
        return .json(body)
    }

    private static func encode(_ text: String) -> String {
        var allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        allowed.remove(0)
        return text.utf8.map { byte in
            allowed.contains(byte) ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
    }
}

import Foundation
