/// When a failed attempt is tried again, and after how long.
///
/// Retried: 429, every 5xx, and failures to connect or to get an answer on a connection. Not retried:
/// other statuses, TLS verification failures and timeouts (the timeout covers the whole call, so
/// nothing is left to retry with).
struct RetryPolicy: Sendable {
    /// Extra attempts after the first.
    var maxRetries: Int
    /// The wait before the first retry; it doubles for each further one.
    var initialBackoff: Duration
    /// The longest computed wait between two attempts.
    var maxBackoff: Duration
    /// The longest `Retry-After` honoured; longer requests are cut to this.
    var maxRetryAfter: Duration

    /// Whether an answer with this status is worth another attempt.
    static func isRetryable(status: Int) -> Bool {
        status == 429 || (500..<600).contains(status)
    }

    /// The wait before retry number `retry` (1 for the first retry): exponential backoff with jitter,
    /// or the server's `Retry-After` (capped) when it sent one. `random` is a number in [0, 1) that
    /// spreads the waits of clients which failed together, within [half, all] of the computed backoff.
    func wait(beforeRetry retry: Int, retryAfter: Duration?, random: Double) -> Duration {
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        let doublings = min(max(retry - 1, 0), 30)
        let exponential = min(initialBackoff * (1 << doublings), maxBackoff)
        return exponential * (0.5 + 0.5 * min(max(random, 0), 1))
    }
}
