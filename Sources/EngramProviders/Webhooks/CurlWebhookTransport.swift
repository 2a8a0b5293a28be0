import EngramCore
import Foundation
import Logging

/// Delivers webhook requests over libcurl (`HTTPClient`, with a handle pool of its own): one attempt
/// per call, no redirects, TLS verification on, the connection pinned to the vetted addresses
/// (`CURLOPT_RESOLVE`). Retries are the outbox's, not this client's.
public final class CurlWebhookTransport: WebhookTransport {
    private let client: HTTPClient
    private let resolver = SystemHostResolver()

    /// A transport whose attempts take at most `timeout` seconds, connection included, and read at most
    /// `maxResponseBytes` of a receiver's answer (a larger one counts as a failed attempt).
    public init(timeout: TimeInterval = 10, maxResponseBytes: Int = 1024 * 1024, logger: Logger) {
        var configuration = HTTPClient.Configuration()
        let limit = Duration.milliseconds(Int64((max(timeout, 0.001) * 1000).rounded(.up)))
        configuration.timeout = limit
        configuration.connectTimeout = limit
        configuration.maxRetries = 0
        configuration.maxResponseBytes = maxResponseBytes
        configuration.maxIdleHandles = 4
        client = HTTPClient(configuration: configuration, logger: logger)
    }

    public func addresses(of host: String) throws -> [String] { try resolver.addresses(of: host) }

    public func send(_ request: WebhookRequest) -> WebhookResponse {
        var outbound = HTTPClientRequest(
            method: "POST", url: request.url, headers: request.headers.map { ($0.name, $0.value) }, body: request.body)
        outbound.resolve = request.pins
        do {
            return .status(try client.exchange(outbound).status)
        } catch {
            return .failure(error.message)
        }
    }
}

/// The system resolver (`getaddrinfo`): a host name's IPv4 and IPv6 addresses, numeric.
public struct SystemHostResolver: HostResolver {
    public init() {}

    public func addresses(of host: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else {
            throw MemoryError.invalid("url's host \(host) does not resolve")
        }
        defer { freeaddrinfo(first) }
        var found: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if let address = entry.pointee.ai_addr,
               getnameinfo(address, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                // A scoped IPv6 address (`fe80::1%eth0`) is link-local whatever its scope.
                let bare = text.split(separator: "%").first.map(String.init) ?? text
                if !found.contains(bare) { found.append(bare) }
            }
            cursor = entry.pointee.ai_next
        }
        guard !found.isEmpty else { throw MemoryError.invalid("url's host \(host) does not resolve") }
        return found
    }
}
