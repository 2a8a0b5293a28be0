@testable import EngramCore
import Foundation
import Testing

@Suite("Metrics")
struct MetricsRenderTests {
    @Test("counters and histograms render in the text format, with cumulative buckets and escaped labels")
    func rendering() {
        let metrics = Metrics()
        metrics.increment(Metrics.httpRequests, ["/a \"b\"\\c\nd", "GET", "200"])
        metrics.increment(Metrics.httpRequests, ["/a \"b\"\\c\nd", "GET", "200"], by: 2)
        metrics.observe(Metrics.httpDuration, ["/x"], 0.0004)
        metrics.observe(Metrics.httpDuration, ["/x"], 0.003)
        metrics.observe(Metrics.httpDuration, ["/x"], 100)
        metrics.observe(Metrics.httpDuration, ["/x"], .nan)
        let text = metrics.render(gauges: [Metrics.Gauge(Metrics.Family("g", .gauge, "A gauge."), [([], 1.5)])])
        #expect(text.contains(#"engram_http_requests_total{route="/a \"b\"\\c\nd",method="GET",status="200"} 3"#))
        #expect(text.contains(#"engram_http_request_duration_seconds_bucket{route="/x",le="0.0005"} 1"#))
        #expect(text.contains(#"engram_http_request_duration_seconds_bucket{route="/x",le="0.005"} 2"#))
        #expect(text.contains(#"engram_http_request_duration_seconds_bucket{route="/x",le="30"} 2"#))
        #expect(text.contains(#"engram_http_request_duration_seconds_bucket{route="/x",le="+Inf"} 3"#))
        #expect(text.contains(#"engram_http_request_duration_seconds_count{route="/x"} 3"#))
        #expect(text.contains("# TYPE engram_llm_tokens_total counter"), "families without samples are declared")
        #expect(text.contains("# TYPE g gauge\ng 1.5\n"))
        #expect(metrics.value(Metrics.httpRequests, ["/a \"b\"\\c\nd", "GET", "200"]) == 3)
        #expect(metrics.count(Metrics.httpDuration, ["/x"]) == 3)
    }

    @Test("times keep their microseconds both ways; offsets and impossible days are read right")
    func exactTimes() throws {
        let date = try #require(DateText.dateTime("2025-03-01T10:20:30.123456-08:00"))
        #expect(DateText.format(date) == "2025-03-01T18:20:30.123456+00:00")
        #expect(DateText.dateTime(DateText.format(date)) == date)
        #expect(DateText.format(try #require(DateText.dateTime("2025-01-05T08:00:00Z"))) == "2025-01-05T08:00:00.000000+00:00")
        #expect(DateText.format(try #require(DateText.dateTime("2025-01-05T08:00:00.999999+0130"))) == "2025-01-05T06:30:00.999999+00:00")
        #expect(DateText.dateTime("2025-02-30T00:00:00Z") == nil)
        #expect(DateText.dateTime("2025-01-05T08:00:00") == nil)
        #expect(DateText.dateTime("2025-01-05T25:00:00Z") == nil)
        #expect(DateText.dateTime("2025-01-05T08:00:00.Z") == nil)
    }
}
