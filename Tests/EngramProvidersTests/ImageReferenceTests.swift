import EngramCore
import Testing
@testable import EngramProviders

/// Reading image URLs into inline base64 data or remote references.
@Suite("Image reference")
struct ImageReferenceTests {
    @Test("reads a base64 data: URL")
    func inline() throws {
        #expect(try ImageReference("data:image/webp;base64,UklGR") == .inline(mediaType: "image/webp", base64: "UklGR"))
        #expect(try ImageReference("data:;base64,AAAA") == .inline(mediaType: "image/png", base64: "AAAA"))
    }

    @Test("takes any other URL as remote")
    func remote() throws {
        #expect(try ImageReference("https://example.com/a.png") == .remote(url: "https://example.com/a.png"))
    }

    @Test("refuses data: URLs without base64 or without data", arguments: ["data:image/png,abc", "data:image/png;base64"])
    func refused(url: String) {
        #expect(throws: ProviderError.self) { try ImageReference(url) }
    }
}
