import Foundation

/// Collects one transfer's response as libcurl hands it over: status, header lines and body bytes, the
/// body bounded by a size limit, or handed on as it arrives when the answer is a success and a `stream`
/// consumer is set. Lives on the stack of the thread running `curl_easy_perform`, which is the only
/// thread libcurl calls back on.
final class ResponseSink {
    /// The status of the latest status line (the final response's once headers are done).
    private(set) var status = 0
    private(set) var headers: [(name: String, value: String)] = []
    private(set) var body = Data()
    /// Set when the body would have grown past `limit`; the transfer is then aborted.
    private(set) var overflowed = false
    /// Set once body bytes went to `stream`: the call can no longer be retried.
    private(set) var streamed = false
    /// Set when `stream` refused bytes; the transfer is then aborted.
    private(set) var abandoned = false
    let limit: Int
    /// Takes a 2xx answer's body piece by piece; returns false to abort the transfer.
    private let stream: ((UnsafeRawBufferPointer) -> Bool)?

    init(limit: Int, stream: ((UnsafeRawBufferPointer) -> Bool)? = nil) {
        self.limit = limit
        self.stream = stream
    }

    /// Appends body bytes (or hands them to `stream`); false aborts: past the limit, or refused.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let stream, (200..<300).contains(status) {
            streamed = true
            abandoned = !stream(bytes)
            return !abandoned
        }
        guard body.count + bytes.count <= limit else {
            overflowed = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Takes one header line as libcurl delivers it (terminator included). A status line starts a new
    /// response (an interim 1xx, or a proxy's answer to CONNECT), so the fields gathered so far are
    /// dropped; only the final response's fields remain.
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers = []
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers.append((name, value))
    }
}
