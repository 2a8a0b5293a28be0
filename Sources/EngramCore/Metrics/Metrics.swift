import Foundation
import Synchronization

/// Engram's counters and histograms, rendered in the Prometheus text format (version 0.0.4) by
/// `GET /metrics`. Every family is declared up front (`Metrics.Family`), so a scrape lists each one
/// with its `HELP` and `TYPE` even before it has samples, and a typo in a name is a crash in tests, not
/// a silently missing series.
///
/// Recording takes one lock and a dictionary update keyed by the label values: well under a
/// microsecond, cheap beside any request. Label values must be bounded sets (route templates, never raw
/// paths; provider names; outcomes).
public final class Metrics: Sendable {
    /// A metric family: its name, help, kind and label names.
    public struct Family: Sendable, Hashable {
        public enum Kind: String, Sendable { case counter, histogram, gauge }
        public let name: String
        public let help: String
        public let kind: Kind
        public let labels: [String]
        /// Upper bounds of a histogram's buckets, in seconds, ascending (`+Inf` is implied).
        public let buckets: [Double]

        public init(_ name: String, _ kind: Kind, _ help: String, labels: [String] = [], buckets: [Double] = Metrics.latencyBuckets) {
            self.name = name
            self.kind = kind
            self.help = help
            self.labels = labels
            self.buckets = kind == .histogram ? buckets : []
        }
    }

    /// Latency buckets from 0.5 ms to 30 s: requests and searches take milliseconds, LLM calls seconds.
    public static let latencyBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    ]

    public static let httpRequests = Family(
        "engram_http_requests_total", .counter, "HTTP requests answered, by route template, method and status.",
        labels: ["route", "method", "status"])
    public static let httpDuration = Family(
        "engram_http_request_duration_seconds", .histogram, "Time to answer an HTTP request (to the response head), by route template.",
        labels: ["route"])
    public static let searchDuration = Family(
        "engram_search_duration_seconds", .histogram,
        "Time in each phase of a search: embed (the query), vector, keyword, graph, fuse, read, rerank.", labels: ["phase"])
    public static let embeddingDuration = Family(
        "engram_embedding_duration_seconds", .histogram, "Time of one embedding call (a text or a batch), by model.", labels: ["model"])
    public static let embeddedTexts = Family(
        "engram_embedded_texts_total", .counter, "Texts embedded, by model.", labels: ["model"])
    public static let llmRequests = Family(
        "engram_llm_requests_total", .counter, "Chat model calls, by provider and outcome (ok or error).", labels: ["provider", "outcome"])
    public static let llmDuration = Family(
        "engram_llm_request_duration_seconds", .histogram, "Time of one chat model call, retries included, by provider.",
        labels: ["provider"])
    public static let llmTokens = Family(
        "engram_llm_tokens_total", .counter, "Tokens the chat models reported, by direction (prompt or completion).",
        labels: ["direction"])

    /// The families recorded in process; gauges read at scrape time are passed to `render(gauges:)`.
    public static let recorded: [Family] = [
        httpRequests, httpDuration, searchDuration, embeddingDuration, embeddedTexts, llmRequests, llmDuration, llmTokens,
    ]

    private struct Series {
        var value = 0.0
        var counts: [UInt64] = []
        var sum = 0.0
        var count: UInt64 = 0
    }

    private let series = Mutex<[Family: [[String]: Series]]>([:])

    public init() {}

    /// Adds `amount` to a counter.
    public func increment(_ family: Family, _ labels: [String] = [], by amount: Double = 1) {
        precondition(family.kind == .counter && labels.count == family.labels.count, "\(family.name): wrong kind or labels")
        series.withLock { $0[family, default: [:]][labels, default: Series()].value += amount }
    }

    /// Records one observation of a histogram, in seconds.
    public func observe(_ family: Family, _ labels: [String] = [], _ seconds: Double) {
        precondition(family.kind == .histogram && labels.count == family.labels.count, "\(family.name): wrong kind or labels")
        guard seconds.isFinite else { return }
        let bucket = family.buckets.firstIndex { seconds <= $0 } ?? family.buckets.count
        series.withLock { all in
            var entry = all[family, default: [:]][labels] ?? Series(counts: Array(repeating: 0, count: family.buckets.count + 1))
            entry.counts[bucket] += 1
            entry.sum += seconds
            entry.count += 1
            all[family, default: [:]][labels] = entry
        }
    }

    /// Times `body` into a histogram.
    public func time<T>(_ family: Family, _ labels: [String] = [], _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { observe(family, labels, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    /// The value of a counter (0 when it has none), for tests and reports.
    public func value(_ family: Family, _ labels: [String] = []) -> Double {
        series.withLock { $0[family]?[labels]?.value ?? 0 }
    }

    /// Observations of a histogram so far.
    public func count(_ family: Family, _ labels: [String] = []) -> UInt64 {
        series.withLock { $0[family]?[labels]?.count ?? 0 }
    }

    /// A gauge's samples, read at scrape time.
    public struct Gauge: Sendable {
        public var family: Family
        public var samples: [(labels: [String], value: Double)]

        public init(_ family: Family, _ samples: [(labels: [String], value: Double)]) {
            self.family = family
            self.samples = samples
        }
    }

    /// Every recorded family, then `gauges`, in the text format; series sorted by labels so scrapes
    /// are stable.
    public func render(gauges: [Gauge] = []) -> String {
        String(decoding: renderBytes(gauges: gauges), as: UTF8.self)
    }

    /// `render` as UTF-8 bytes, written straight into one buffer: a scrape with a few hundred series
    /// took most of its 0.5 ms building strings before.
    public func renderBytes(gauges: [Gauge] = []) -> [UInt8] {
        let snapshot = series.withLock { $0 }
        var out: [UInt8] = []
        out.reserveCapacity(32_768)
        for family in Self.recorded {
            Self.header(family, into: &out)
            let rows = (snapshot[family] ?? [:]).sorted { $0.key.lexicographicallyPrecedes($1.key) }
            let name = Array(family.name.utf8)
            for (labels, entry) in rows {
                switch family.kind {
                case .counter, .gauge:
                    Self.sample(name, [], family.labels, labels, value: entry.value, into: &out)
                case .histogram:
                    // The labels once, then each bucket's `le` beside them.
                    var labelBytes: [UInt8] = []
                    Self.appendLabels(family.labels, labels, into: &labelBytes)
                    var cumulative: UInt64 = 0
                    for (index, bound) in Self.boundTexts(family).enumerated() {
                        cumulative += entry.counts[index]
                        out += name
                        out += Self.bucketSuffix
                        if labelBytes.isEmpty {
                            out.append(UInt8(ascii: "{"))
                        } else {
                            out += labelBytes.dropLast()
                            out.append(UInt8(ascii: ","))
                        }
                        out += Self.leOpen
                        out += bound
                        out += Self.leClose
                        Self.appendInteger(cumulative, into: &out)
                        out.append(0x0A)
                    }
                    out += name
                    out += Self.sumSuffix
                    out += labelBytes
                    out.append(UInt8(ascii: " "))
                    out += Self.number(entry.sum).utf8
                    out.append(0x0A)
                    out += name
                    out += Self.countSuffix
                    out += labelBytes
                    out.append(UInt8(ascii: " "))
                    Self.appendInteger(entry.count, into: &out)
                    out.append(0x0A)
                }
            }
        }
        for gauge in gauges {
            Self.header(gauge.family, into: &out)
            let name = Array(gauge.family.name.utf8)
            for sample in gauge.samples {
                Self.sample(name, [], gauge.family.labels, sample.labels, value: sample.value, into: &out)
            }
        }
        return out
    }

    private static let bucketSuffix = Array("_bucket".utf8)
    private static let sumSuffix = Array("_sum".utf8)
    private static let countSuffix = Array("_count".utf8)
    private static let leOpen = Array("le=\"".utf8)
    private static let leClose = Array("\"} ".utf8)

    /// The `le` texts of a family's buckets, `+Inf` last.
    private static func boundTexts(_ family: Family) -> [[UInt8]] {
        family.buckets.map { Array(number($0).utf8) } + [Array("+Inf".utf8)]
    }

    private static func sample(_ name: [UInt8], _ suffix: [UInt8], _ names: [String], _ values: [String], value: Double, into out: inout [UInt8]) {
        out += name
        out += suffix
        appendLabels(names, values, into: &out)
        out.append(UInt8(ascii: " "))
        out += number(value).utf8
        out.append(0x0A)
    }

    private static func header(_ family: Family, into out: inout [UInt8]) {
        out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.kind.rawValue)\n".utf8
    }

    /// `{a="1",b="2"}`, or nothing without labels; values escaped as the format asks (`\\`, `\"`, `\n`).
    static func appendLabels(_ names: [String], _ values: [String], into out: inout [UInt8]) {
        guard !names.isEmpty else { return }
        out.append(UInt8(ascii: "{"))
        for (index, name) in names.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += name.utf8
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "\""))
            for byte in values[index].utf8 {
                switch byte {
                case 0x5C: out += [0x5C, 0x5C]
                case 0x22: out += [0x5C, 0x22]
                case 0x0A: out += [0x5C, UInt8(ascii: "n")]
                default: out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The text of `labelText` as a string (tests).
    static func labelText(_ names: [String], _ values: [String]) -> String {
        var out: [UInt8] = []
        appendLabels(names, values, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendInteger(_ value: UInt64, into out: inout [UInt8]) {
        guard value > 0 else {
            out.append(UInt8(ascii: "0"))
            return
        }
        var digits: [UInt8] = []
        var rest = value
        while rest > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        out += digits.reversed()
    }

    /// A sample value: integers without a fraction, others in full precision.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
