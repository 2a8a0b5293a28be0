extension HTTPClient {
    /// Limits, timeouts and retry behaviour of an `HTTPClient`.
    public struct Configuration: Sendable {
        /// The longest time to establish a connection (TCP and TLS) on one attempt.
        public var connectTimeout: Duration = .seconds(10)
        /// The longest time a whole call may take, every retry and wait included.
        public var timeout: Duration = .seconds(60)
        /// Extra attempts after a 429, a 5xx or a failed connection.
        public var maxRetries: Int = 2
        /// The wait before the first retry; doubled for each further one, with jitter.
        public var initialBackoff: Duration = .milliseconds(500)
        /// The longest computed wait between attempts.
        public var maxBackoff: Duration = .seconds(8)
        /// The longest `Retry-After` honoured; a longer one is cut to this. A wait that would end past
        /// the call's deadline is not taken: the call fails at once instead.
        public var maxRetryAfter: Duration = .seconds(30)
        /// The largest response body accepted; a larger one fails the call as `provider_unavailable`.
        public var maxResponseBytes: Int = 32 * 1024 * 1024
        /// Idle libcurl handles (each with its kept-alive connections) kept for later requests.
        public var maxIdleHandles: Int = 8

        /// The defaults above.
        public init() {}

        /// The retry rules these settings describe.
        var retryPolicy: RetryPolicy {
            RetryPolicy(
                maxRetries: max(0, maxRetries), initialBackoff: initialBackoff, maxBackoff: maxBackoff,
                maxRetryAfter: maxRetryAfter)
        }
    }
}
