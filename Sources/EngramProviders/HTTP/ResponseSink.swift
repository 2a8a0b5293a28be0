import Foundation

/// Collects one transfer's response as libcurl hands it over: header lines and body bytes, the body
/// bounded by a size limit. Lives on the stack of the thread running `curl_easy_perform`, which is the
/// only thread libcurl calls back on.
final class ResponseSink {
    private(set) var headers: [(name: String, value: String)] = []
    private(set) var body = Data()
    /// Set when the body would have grown past `limit`; the transfer is then aborted.
    private(set) var overflowed = false
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Appends body bytes; false (abort) once the limit would be passed.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
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
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers.append((name, value))
    }
}
