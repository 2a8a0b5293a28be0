import Foundation
import Testing
@testable import EngramProviders

/// Backoff arithmetic and `Retry-After` parsing, without any network.
@Suite("Retry policy")
struct RetryPolicyTests {
    private let policy = RetryPolicy(
        maxRetries: 5, initialBackoff: .milliseconds(100), maxBackoff: .seconds(1), maxRetryAfter: .seconds(30))

    @Test("doubles the backoff for each retry up to the cap")
    func exponential() {
        let waits = (1...5).map { policy.wait(beforeRetry: $0, retryAfter: nil, random: 1) }
        #expect(waits == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1)])
    }

    @Test("jitter keeps the wait between half and all of the backoff")
    func jitter() {
        #expect(policy.wait(beforeRetry: 2, retryAfter: nil, random: 0) == .milliseconds(100))
        #expect(policy.wait(beforeRetry: 2, retryAfter: nil, random: 0.5) == .milliseconds(150))
    }

    @Test("prefers Retry-After, capped")
    func retryAfterWins() {
        #expect(policy.wait(beforeRetry: 1, retryAfter: .seconds(3), random: 0.3) == .seconds(3))
        #expect(policy.wait(beforeRetry: 1, retryAfter: .seconds(600), random: 0.3) == .seconds(30))
    }

    @Test("retries 429 and 5xx only")
    func retryableStatuses() {
        #expect(RetryPolicy.isRetryable(status: 429))
        #expect(RetryPolicy.isRetryable(status: 500))
        #expect(RetryPolicy.isRetryable(status: 503))
        #expect(!RetryPolicy.isRetryable(status: 400))
        #expect(!RetryPolicy.isRetryable(status: 401))
        #expect(!RetryPolicy.isRetryable(status: 200))
    }

    @Test("reads Retry-After as seconds")
    func retryAfterSeconds() {
        let now = Date()
        #expect(RetryAfter.delay("3", now: now) == .seconds(3))
        #expect(RetryAfter.delay(" 0 ", now: now) == .zero)
        #expect(RetryAfter.delay("-1", now: now) == nil)
        #expect(RetryAfter.delay("1.5", now: now) == nil)
        #expect(RetryAfter.delay("soon", now: now) == nil)
        #expect(RetryAfter.delay("", now: now) == nil)
    }

    @Test("reads Retry-After as an HTTP date in all three forms")
    func retryAfterDates() {
        let now = Date(timeIntervalSince1970: 784_111_767)  // Sun, 06 Nov 1994 08:49:27 GMT
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.delay("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.delay("Sun Nov  6 08:49:37 1994", now: now) == .seconds(10))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:00 GMT", now: now) == .zero)
    }

    @Test("rounds durations up to whole milliseconds, never to zero")
    func milliseconds() {
        #expect(Duration.milliseconds(1500).wholeMilliseconds == 1500)
        #expect(Duration.microseconds(1).wholeMilliseconds == 1)
        #expect(Duration.zero.wholeMilliseconds == 1)
        #expect(Duration.seconds(-3).wholeMilliseconds == 1)
    }
}
