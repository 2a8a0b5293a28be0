import CCurl
import EngramCore
import Foundation
import Logging

/// A blocking HTTP/1.1 client over libcurl, for calls to LLM and embedding providers.
///
/// Calls block the calling thread (one the server owns, never the Swift concurrency pool) until an
/// answer arrives, the call's total timeout passes, or retries run out. Each call checks a libcurl
/// handle out of a small pool and returns it afterwards, so connections are kept alive and reused
/// across calls and threads while no handle is ever used by two threads at once.
///
/// - TLS peer and host verification are always on; only `http` and `https` are allowed; redirects are
///   not followed.
/// - 429, 5xx and broken or refused connections are retried with exponential backoff and jitter,
///   honouring `Retry-After` (capped, and never waiting past the deadline).
/// - Proxies come from the environment, read by libcurl itself: `https_proxy` or `HTTPS_PROXY` for
///   `https:` URLs, `http_proxy` (lower case only) for `http:` URLs, `ALL_PROXY` or `all_proxy` for
///   both when no scheme-specific one is set, and `NO_PROXY` or `no_proxy` for hosts to reach directly
///   (list `localhost` there when a local Ollama must bypass the proxy).
/// - Logs name the method, host, path, status, attempt and elapsed time; never header values (keys),
///   query strings or bodies.
public final class HTTPClient: Sendable {
    /// The limits this client applies to every call.
    public let configuration: Configuration
    /// Where calls are logged; the models built on this client log here too.
    let logger: Logger
    private let pool: CurlHandlePool

    /// Creates a client; no connection is made until the first call.
    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.pool = CurlHandlePool(capacity: configuration.maxIdleHandles)
    }

    /// Sends `request` and returns the final answer when it is 2xx; any other final status becomes the
    /// matching `ProviderError` (401/403 auth, 429 rate limit, 5xx unavailable, other 4xx bad request).
    public func send(_ request: HTTPClientRequest) throws(ProviderError) -> HTTPClientResponse {
        let response = try exchange(request)
        guard response.isSuccess else { throw ProviderError(status: response.status, host: RequestTarget(url: request.url).host) }
        return response
    }

    /// Sends `request` with retries and returns the final answer whatever its status, so the caller can
    /// look at a rejection before mapping it (`ProviderError(status:host:)`). Throws only when no
    /// answer arrived: timeout, connection, DNS or TLS failure, or an oversized response.
    public func exchange(_ request: HTTPClientRequest) throws(ProviderError) -> HTTPClientResponse {
        try exchange(request, stream: nil)
    }

    /// Sends `request` like `exchange`, but hands a 2xx answer's body to `body` as it arrives (libcurl's
    /// write callback: pieces of any size, in order) instead of collecting it; `body` returns false to
    /// abort the transfer. The returned response has an empty body on success, and the whole body of a
    /// rejection. Retries happen only before the first byte went to `body`; a transfer that breaks
    /// after that throws `provider_unavailable` (or `provider_timeout`).
    public func stream(
        _ request: HTTPClientRequest, body: (UnsafeRawBufferPointer) -> Bool
    ) throws(ProviderError) -> HTTPClientResponse {
        try withoutActuallyEscaping(body) { (consumer) throws(ProviderError) in try exchange(request, stream: consumer) }
    }

    private func exchange(
        _ request: HTTPClientRequest, stream: ((UnsafeRawBufferPointer) -> Bool)?
    ) throws(ProviderError) -> HTTPClientResponse {
        let target = RequestTarget(url: request.url)
        try Self.validateHeaders(request, host: target.host)
        let policy = configuration.retryPolicy
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + configuration.timeout
        var attempt = 0
        var connections = 0
        while true {
            attempt += 1
            let remaining = deadline - clock.now
            let limits = TransferLimits(
                connectTimeoutMilliseconds: min(configuration.connectTimeout, remaining).wholeMilliseconds,
                timeoutMilliseconds: remaining.wholeMilliseconds,
                maxResponseBytes: configuration.maxResponseBytes)
            let handle = try pool.checkOut()
            let transfer = handle.perform(request, limits: limits, stream: stream)
            pool.checkIn(handle)
            connections += transfer.newConnections
            let elapsed = clock.now - start
            var metadata = Self.metadata(request, target: target, transfer: transfer, attempt: attempt, elapsed: elapsed)
            let retryable = transfer.failed ? transfer.isRetryableFailure : RetryPolicy.isRetryable(status: transfer.status)
            if retryable, !transfer.streamed, attempt <= policy.maxRetries {
                let retryAfter = transfer.failed ? nil : Self.retryAfter(transfer.headers)
                let wait = policy.wait(beforeRetry: attempt, retryAfter: retryAfter, random: Double.random(in: 0..<1))
                if clock.now + wait < deadline {
                    metadata["retry_in_ms"] = "\(wait.wholeMilliseconds)"
                    logger.notice("Provider call failed; retrying", metadata: metadata)
                    Thread.sleep(forTimeInterval: wait.seconds)
                    continue
                }
                metadata["retry_skipped"] = "deadline"
            }
            if transfer.failed {
                metadata["error"] = "\(transfer.detail)"
                logger.warning("Provider call failed", metadata: metadata)
                if transfer.streamed, transfer.code != CURLE_OPERATION_TIMEDOUT {
                    throw ProviderError(.unavailable, "The stream from \(target.host) broke off")
                }
                throw ProviderError(transfer: transfer, host: target.host, timeout: configuration.timeout)
            }
            let response = HTTPClientResponse(
                status: transfer.status, headers: transfer.headers, body: transfer.body, attempts: attempt,
                newConnections: connections)
            if response.isSuccess {
                logger.debug("Provider call", metadata: metadata)
            } else {
                logger.warning("Provider call rejected", metadata: metadata)
            }
            return response
        }
    }

    /// Header fields must not smuggle a line break or NUL into the request (a key pasted with a
    /// trailing newline, say); such a request is refused before anything is sent.
    private static func validateHeaders(_ request: HTTPClientRequest, host: String) throws(ProviderError) {
        for field in request.headers {
            let forbidden: (UInt8) -> Bool = { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
            if field.name.isEmpty || field.name.utf8.contains(where: forbidden) || field.value.utf8.contains(where: forbidden) {
                throw ProviderError(.badRequest, "A header for \(host) holds a line break or is empty; check the api_key")
            }
        }
    }

    private static func retryAfter(_ headers: [(name: String, value: String)]) -> Duration? {
        guard let value = headers.first(where: { $0.name.lowercased() == "retry-after" })?.value else { return nil }
        return RetryAfter.delay(value, now: Date())
    }

    private static func metadata(
        _ request: HTTPClientRequest, target: RequestTarget, transfer: CurlTransfer, attempt: Int, elapsed: Duration
    ) -> Logger.Metadata {
        [
            "method": "\(request.method)", "host": "\(target.host)", "path": "\(target.path)",
            "status": transfer.failed ? "none" : "\(transfer.status)", "attempt": "\(attempt)",
            "elapsed_ms": "\(elapsed.wholeMilliseconds)",
        ]
    }
}

extension Duration {
    /// Whole milliseconds, rounded up, at least 1 (libcurl reads a timeout of 0 as "none").
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return max(1, Int(milliseconds))
    }

    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
