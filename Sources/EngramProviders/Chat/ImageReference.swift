import EngramCore

/// An image attached to a chat message: inline (`data:` URL with base64 bytes) or remote (any other
/// URL, fetched by the provider).
enum ImageReference: Equatable {
    case inline(mediaType: String, base64: String)
    case remote(url: String)

    /// Reads `data:<media type>;base64,<data>`; any other URL is remote. A `data:` URL that is not
    /// base64 is refused, since providers accept only base64 inline images.
    init(_ url: String) throws(ProviderError) {
        guard url.hasPrefix("data:") else {
            self = .remote(url: url)
            return
        }
        guard let comma = url.firstIndex(of: ",") else {
            throw ProviderError(.badRequest, "An image data: URL has no data")
        }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        var parameters = header.split(separator: ";").map(String.init)
        guard parameters.last?.lowercased() == "base64" else {
            throw ProviderError(.badRequest, "Image data: URLs must be base64-encoded")
        }
        parameters.removeLast()
        let mediaType = parameters.first.flatMap { $0.isEmpty ? nil : $0 } ?? "image/png"
        self = .inline(mediaType: mediaType.lowercased(), base64: String(url[url.index(after: comma)...]))
    }
}
