import EngramCore
import Testing

/// The webhook URL policy, without a network: literal addresses, names, and what a resolver answers.
@Suite("Webhook address policy")
struct WebhookAddressPolicyTests {
    /// A resolver answering fixed addresses for every name.
    struct FixedResolver: HostResolver {
        let answer: [String]
        func addresses(of host: String) throws -> [String] { answer }
    }

    let strict = WebhookAddressPolicy(allowPrivateAddresses: false)

    @Test("internal IPv4 and IPv6 ranges are recognised, public ones are not")
    func ranges() {
        for address in [
            "127.0.0.1", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
            "224.0.0.1", "255.255.255.255", "::", "::1", "fd12::1", "fe80::1", "::ffff:10.0.0.1", "64:ff9b::7f00:1", "ff02::1",
        ] {
            #expect(WebhookAddressPolicy.isInternal(address), "\(address)")
        }
        for address in ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            #expect(!WebhookAddressPolicy.isInternal(address), "\(address)")
        }
    }

    @Test("a name resolving to a private address is refused; a public one is pinned")
    func resolvedNames() throws {
        #expect(throws: MemoryError.self) {
            try strict.check("https://hooks.example.com/x", resolver: FixedResolver(answer: ["93.184.216.34", "10.0.0.5"]))
        }
        let target = try strict.check("https://hooks.example.com:8443/x", resolver: FixedResolver(answer: ["93.184.216.34", "2606:4700::1"]))
        #expect(target.pins == ["hooks.example.com:8443:93.184.216.34,[2606:4700::1]"])
        #expect(throws: MemoryError.self) { try strict.check("http://app.localhost/", resolver: nil) }
        #expect(throws: MemoryError.self) { try strict.check("http://0x7f000001/", resolver: nil) }
        #expect(throws: MemoryError.self) { try strict.check("http://127.1/", resolver: nil) }
        #expect(throws: MemoryError.self) { try strict.check("file:///etc/passwd", resolver: nil) }
    }

    @Test("with private addresses allowed, only the scheme is checked and nothing is pinned")
    func allowed() throws {
        let target = try WebhookAddressPolicy(allowPrivateAddresses: true).check("http://127.0.0.1:8080/hook", resolver: nil)
        #expect(target.pins.isEmpty)
        #expect(target.port == 8080)
    }

    @Test("event type names are read in mem0's current and older spellings")
    func eventTypeNames() {
        #expect(WebhookEventType(name: "memory_add") == .memoryAdd)
        #expect(WebhookEventType(name: "memory:update") == .memoryUpdate)
        #expect(WebhookEventType(name: "MEMORY_CATEGORIZE") == .memoryCategorize)
        #expect(WebhookEventType(name: "memory_explode") == nil)
    }
}
