import EngramProviders
import Logging

/// HTTP clients for tests: short backoff so retries cost milliseconds, and a quiet logger unless one
/// is given.
enum TestClients {
    static var quietLogger: Logger {
        var logger = Logger(label: "engram-providers-test")
        logger.logLevel = .critical
        return logger
    }

    static func client(
        timeout: Duration = .seconds(5), maxRetries: Int = 2, maxResponseBytes: Int? = nil, logger: Logger = quietLogger
    ) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = timeout
        configuration.connectTimeout = .seconds(2)
        configuration.maxRetries = maxRetries
        configuration.initialBackoff = .milliseconds(10)
        configuration.maxBackoff = .milliseconds(40)
        if let maxResponseBytes { configuration.maxResponseBytes = maxResponseBytes }
        return HTTPClient(configuration: configuration, logger: logger)
    }
}
