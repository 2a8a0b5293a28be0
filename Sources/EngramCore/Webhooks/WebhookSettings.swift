import Foundation

/// How webhooks are checked and delivered (`MemoryService.Configuration.webhooks`).
public struct WebhookSettings: Sendable {
    /// Accept URLs whose host is or resolves to a loopback, private, link-local or otherwise internal
    /// address (`--allow-private-webhooks`). Off: such URLs are refused when registered and when
    /// delivered, so a key holder cannot make the server call its own network.
    public var allowPrivateAddresses = false
    /// Resolves host names when a webhook is registered; nil checks only literal addresses and
    /// `localhost` names then (delivery always resolves and checks, through the transport).
    public var resolver: (any HostResolver)?
    /// The waits after each failed attempt: the first retry 5 s after the first failure, and so on. A
    /// delivery fails for good after `retryDelays.count + 1` attempts (8: about 3 h 45 min in all).
    public var retryDelays: [TimeInterval] = [5, 30, 120, 600, 1800, 3600, 7200]
    /// The longest one attempt may take, connection included (the transport applies it).
    public var timeout: TimeInterval = 10
    /// How long a claimed delivery is its worker's; past that (its process died) anyone may claim it.
    public var lease: TimeInterval = 60
    /// Threads delivering.
    public var workers = 2
    /// How often idle workers look for due deliveries (new ones of this process wake them at once).
    public var pollInterval: TimeInterval = 1
    /// How long a project's webhook list is cached for its memory writes; changes through this process
    /// are seen at once, those through another process sharing the store within this time.
    public var cacheLifetime: TimeInterval = 5
    /// Finished deliveries (DELIVERED or FAILED) are removed after this long.
    public var retention: TimeInterval = 7 * 86_400
    /// Most webhooks one project may register.
    public var maxWebhooksPerProject = 20
    /// Longest URL and name accepted, in bytes.
    public var maxURLBytes = 2048
    public var maxNameBytes = 256

    public init() {}

    /// Attempts before a delivery fails for good.
    public var maxAttempts: Int { retryDelays.count + 1 }

    /// The wait after failed attempt `attempt` (from 1), or nil when it was the last one.
    public func delay(afterAttempt attempt: Int) -> TimeInterval? {
        guard attempt >= 1, attempt <= retryDelays.count else { return nil }
        return retryDelays[attempt - 1]
    }
}

/// Turns a host name into the addresses it stands for (numeric strings), as the system resolver does.
public protocol HostResolver: Sendable {
    /// The IPv4 and IPv6 addresses of `host`; throws `MemoryError.invalid` when it resolves to none.
    func addresses(of host: String) throws -> [String]
}

/// One signed POST to a webhook receiver, as `WebhookTransport` sends it.
public struct WebhookRequest: Sendable, Equatable {
    public var url: String
    /// `host:port:address` pins: connect only to these vetted addresses of the URL's host (libcurl
    /// `CURLOPT_RESOLVE`); empty resolves normally (private addresses allowed).
    public var pins: [String]
    /// Header fields in order; the signature among them.
    public var headers: [WebhookHeader]
    public var body: Data

    public init(url: String, pins: [String], headers: [WebhookHeader], body: Data) {
        self.url = url
        self.pins = pins
        self.headers = headers
        self.body = body
    }
}

/// One header field of a webhook request.
public struct WebhookHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// How one attempt went: the receiver's status, or why no answer came (never a body).
public enum WebhookResponse: Sendable, Equatable {
    case status(Int)
    case failure(String)

    /// Whether the receiver took the event (2xx).
    public var isSuccess: Bool {
        if case .status(let code) = self { return (200..<300).contains(code) }
        return false
    }

    /// The reason recorded as `last_error`.
    public var summary: String {
        switch self {
        case .status(let code): "HTTP \(code)"
        case .failure(let reason): reason
        }
    }
}

/// Sends webhook requests: one attempt each, no redirects followed, no retries of its own (the outbox
/// retries). Implemented over libcurl in EngramProviders; resolves host names for delivery-time checks.
public protocol WebhookTransport: HostResolver {
    /// Sends `request` once, blocking the calling thread (a delivery worker) for at most the transport's
    /// timeout (`WebhookSettings.timeout`).
    func send(_ request: WebhookRequest) -> WebhookResponse
}
