import Logging
import Synchronization

/// Collects every log line written through its `logger`, message and metadata rendered as text, so
/// tests can look for what must (or must never) be logged.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger at trace level writing into this capture.
    var logger: Logger {
        var logger = Logger(label: "engram-providers-test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Every line so far.
    var all: [String] { lines.withLock { $0 } }

    /// Every line so far, joined.
    var text: String { all.joined(separator: "\n") }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.append("\(event.level) \(event.message) \(fields)")
        }
    }
}
