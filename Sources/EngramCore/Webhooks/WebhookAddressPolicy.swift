import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which webhook URLs may be called: `http` or `https` only, and, unless private addresses are
/// allowed, a host that neither is nor resolves to an internal address (loopback, RFC 1918 private,
/// link-local with the cloud metadata service, CGNAT, unspecified, multicast and reserved ranges, and
/// their IPv6 counterparts: loopback, ULA, link-local, IPv4-mapped and NAT64 forms of the above).
/// Checked when a webhook is registered and again before every delivery (DNS may change), whose
/// connection is then pinned to the vetted addresses.
public struct WebhookAddressPolicy: Sendable {
    /// A URL that passed: where to connect.
    public struct Target: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// The vetted addresses, numeric; empty when private addresses are allowed (resolve normally).
        public var addresses: [String]

        /// The libcurl `CURLOPT_RESOLVE` entry `host:port:address,...` (IPv6 addresses in brackets) that
        /// makes the connection use the vetted addresses only; none for a literal address or when
        /// nothing was vetted.
        public var pins: [String] {
            guard !addresses.isEmpty, addresses != [host.lowercased()], WebhookAddressPolicy.literal(host) == nil else { return [] }
            return ["\(host):\(port):" + addresses.map { $0.contains(":") ? "[\($0)]" : $0 }.joined(separator: ",")]
        }
    }

    public var allowPrivateAddresses: Bool

    public init(allowPrivateAddresses: Bool) {
        self.allowPrivateAddresses = allowPrivateAddresses
    }

    /// Checks `url`; throws `MemoryError.invalid` saying why it is refused. Host names are resolved with
    /// `resolver` (nil: only literal addresses and `localhost` names are checked).
    public func check(_ url: String, resolver: (any HostResolver)?) throws -> Target {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https"
        else { throw MemoryError.invalid("url must be an absolute http:// or https:// URL") }
        guard let rawHost = components.host, !rawHost.isEmpty else { throw MemoryError.invalid("url must name a host") }
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65_535).contains(port) else { throw MemoryError.invalid("url has an invalid port") }
        guard !allowPrivateAddresses else { return Target(host: host, port: port, addresses: []) }
        let name = host.lowercased().hasSuffix(".") ? String(host.lowercased().dropLast()) : host.lowercased()
        // RFC 6761 §6.3: `localhost` and its subdomains are the loopback interface whatever DNS says.
        if name == "localhost" || name.hasSuffix(".localhost") { throw Self.refusal(host) }
        let addresses: [String]
        if let literal = Self.literal(host) {
            addresses = [literal]
        } else if let resolver {
            addresses = try resolver.addresses(of: host)
        } else {
            return Target(host: host, port: port, addresses: [])
        }
        guard !addresses.isEmpty else { throw MemoryError.invalid("url's host \(host) does not resolve") }
        if let blocked = addresses.first(where: { Self.isInternal($0) }) {
            throw Self.refusal(blocked == host ? host : "\(host) (\(blocked))")
        }
        return Target(host: host, port: port, addresses: addresses)
    }

    private static func refusal(_ what: String) -> MemoryError {
        .invalid("Webhook URLs may not point at loopback, private or link-local addresses (\(what)); "
            + "start the server with --allow-private-webhooks to allow them")
    }

    /// The numeric form of `host` when it is an IP literal, including the short and numeric IPv4 forms
    /// the system resolver accepts (`127.1`, `2130706433`, `0x7f000001`); nil for a name.
    static func literal(_ host: String) -> String? {
        if let v4 = ipv4Bytes(host) { return v4.map(String.init).joined(separator: ".") }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return host.lowercased() }
        var legacy = in_addr()
        // inet_aton reads the forms getaddrinfo also accepts for AF_INET; a trailing dot or letters are
        // names.
        if host.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X" }), inet_aton(host, &legacy) != 0 {
            let value = UInt32(bigEndian: legacy.s_addr)
            return [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xFF) }.joined(separator: ".")
        }
        return nil
    }

    /// Whether a numeric address belongs to a range no webhook may reach unless allowed.
    public static func isInternal(_ address: String) -> Bool {
        if let v4 = ipv4Bytes(address) { return isInternal(v4: v4) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return true }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        return isInternal(v6: bytes)
    }

    private static func ipv4Bytes(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// IANA special-purpose IPv4 ranges (RFC 6890) a public receiver never has.
    static func isInternal(v4 bytes: [UInt8]) -> Bool {
        let (a, b, c) = (bytes[0], bytes[1], bytes[2])
        switch a {
        case 0, 10, 127: return true                      // "this network", RFC 1918, loopback
        case 100 where (64...127).contains(b): return true // CGNAT, RFC 6598
        case 169 where b == 254: return true              // link-local, cloud metadata (RFC 3927)
        case 172 where (16...31).contains(b): return true // RFC 1918
        case 192 where b == 168: return true              // RFC 1918
        case 192 where b == 0 && c == 0: return true      // IETF protocol assignments
        case 198 where b == 18 || b == 19: return true    // benchmarking, RFC 2544
        case 224...255: return true                       // multicast, reserved, broadcast
        default: return false
        }
    }

    /// IPv6 ranges a public receiver never has, and embedded IPv4 addresses checked as IPv4.
    static func isInternal(v6 bytes: [UInt8]) -> Bool {
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return true }          // :: and ::1
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return isInternal(v4: Array(bytes[12..<16]))                   // ::ffff:a.b.c.d
        }
        if bytes[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] {
            return isInternal(v4: Array(bytes[12..<16]))                   // NAT64, RFC 6052
        }
        if bytes[0] & 0xFE == 0xFC { return true }                       // ULA fc00::/7
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0x80 || bytes[1] & 0xC0 == 0xC0 { return true } // link/site-local
        if bytes[0] == 0xFF { return true }                              // multicast
        return false
    }
}
