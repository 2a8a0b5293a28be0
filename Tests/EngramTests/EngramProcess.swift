import Foundation
import Glibc

/// A real `engram serve` process on a free port, for tests that need the whole binary.
struct EngramProcess {
    let process: Process
    let port: Int
    /// Its standard error: the log.
    let log: URL

    static func start(
        dataDirectory: URL, logDirectory: URL, arguments: [String] = [], environment: [String: String] = [:]
    ) throws -> EngramProcess {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let log = logDirectory.appendingPathComponent("engram-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = ServeCommandTests.binary
        let host = arguments.contains("--host") ? [] : ["--host", "127.0.0.1"]
        process.arguments = ["serve", "--port", "0", "--data-dir", dataDirectory.path] + host + arguments
        process.standardError = try FileHandle(forWritingTo: log)
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        try process.run()
        for _ in 0..<200 {
            Thread.sleep(forTimeInterval: 0.05)
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on http://"),
               let colon = text[range.upperBound...].firstIndex(of: ":"),
               let port = Int(text[text.index(after: colon)...].prefix { $0.isNumber }) {
                return EngramProcess(process: process, port: port, log: log)
            }
            if !process.isRunning { break }
        }
        process.terminate()
        throw StartError(log: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    func kill(_ signal: Int32) {
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    struct StartError: Error, CustomStringConvertible {
        let log: String
        var description: String { "engram did not start:\n\(log)" }
    }
}
