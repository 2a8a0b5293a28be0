import CCurl
import EngramCore
import Foundation

/// Owns one libcurl easy handle (and the live connections libcurl keeps inside it) and frees it in
/// `deinit`.
///
/// libcurl forbids using a handle from two threads at once (libcurl-thread(3)). `CurlHandlePool` hands
/// each handle to exactly one caller at a time, which is why it may cross threads: `@unchecked
/// Sendable` states that hand-over, not concurrent use.
final class CurlHandle: @unchecked Sendable {
    private let raw: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Creates a handle; fails only if libcurl cannot initialise or allocate.
    init() throws(ProviderError) {
        guard CurlLibrary.initialize(), let raw = curl_easy_init() else {
            throw ProviderError(.unavailable, "The HTTP client could not be initialised")
        }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Runs one request to completion on the calling thread; a 2xx answer's body goes to `stream` as it
    /// arrives when one is given.
    ///
    /// Every option is set afresh (`curl_easy_reset` first), but the handle keeps its open connections,
    /// DNS cache and TLS sessions, so a following request to the same host reuses the connection.
    func perform(
        _ request: HTTPClientRequest, limits: TransferLimits, stream: ((UnsafeRawBufferPointer) -> Bool)? = nil
    ) -> CurlTransfer {
        curl_easy_reset(raw)
        errorBuffer[0] = 0
        let sink = ResponseSink(limit: limits.maxResponseBytes, stream: stream)
        var headerList: UnsafeMutablePointer<curl_slist>?
        var resolveList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(headerList)
            curl_slist_free_all(resolveList)
        }
        for entry in request.resolve {
            if let appended = curl_slist_append(resolveList, entry) { resolveList = appended }
        }
        // An empty `Expect:` stops libcurl from sending `Expect: 100-continue` on large bodies, which
        // would cost a round trip per request.
        for field in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            // On allocation failure libcurl returns NULL and leaves the list as it was.
            if let appended = curl_slist_append(headerList, field) { headerList = appended }
        }
        let body = request.body ?? Data()
        let code: CURLcode = body.withUnsafeBytes { bytes in
            withExtendedLifetime(sink) {
                let context = Unmanaged.passUnretained(sink).toOpaque()
                configure(request, limits: limits, headers: headerList, context: context)
                // The pins stay in the handle's DNS cache after the transfer; a later request to the same
                // host and port sets its own again.
                if resolveList != nil { ccurl_setopt_slist(raw, CURLOPT_RESOLVE, resolveList) }
                if request.body != nil || request.method == "POST" {
                    // Without POSTFIELDS a POST would read its body from stdin. POSTFIELDS is not
                    // copied: the bytes must stay valid until perform returns, as they do inside this
                    // closure. A static empty string stands in for an empty body.
                    let pointer = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? Self.emptyBody)
                    ccurl_setopt_pointer(raw, CURLOPT_POSTFIELDS, pointer)
                    ccurl_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
                }
                return curl_easy_perform(raw)
            }
        }
        var status = 0
        var connects = 0
        ccurl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status)
        ccurl_getinfo_long(raw, CURLINFO_NUM_CONNECTS, &connects)
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        return CurlTransfer(
            code: code, status: status, headers: sink.headers, body: sink.body, overflowed: sink.overflowed,
            streamed: sink.streamed, abandoned: sink.abandoned, newConnections: connects, detail: detail)
    }

    /// A valid pointer to no bytes (static storage, never freed).
    private static var emptyBody: UnsafeRawPointer { UnsafeRawPointer(("" as StaticString).utf8Start) }

    /// Sets the options of one transfer. String options are copied by libcurl, so temporary C strings
    /// are fine.
    private func configure(
        _ request: HTTPClientRequest, limits: TransferLimits, headers: UnsafeMutablePointer<curl_slist>?,
        context: UnsafeMutableRawPointer
    ) {
        // Signals would be used for DNS timeouts; they are not safe with many threads (libcurl-thread(3)).
        ccurl_setopt_long(raw, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_string(raw, CURLOPT_URL, request.url)
        ccurl_setopt_string(raw, CURLOPT_PROTOCOLS_STR, "http,https")
        // TLS verification stays on whatever the build's defaults are.
        ccurl_setopt_long(raw, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_setopt_long(raw, CURLOPT_SSL_VERIFYHOST, 2)
        ccurl_setopt_long(raw, CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeoutMilliseconds)
        ccurl_setopt_long(raw, CURLOPT_TIMEOUT_MS, limits.timeoutMilliseconds)
        ccurl_setopt_long(raw, CURLOPT_TCP_KEEPALIVE, 1)
        // Redirects are not followed: a provider API answers directly, and following one could carry
        // the key to another host.
        ccurl_setopt_long(raw, CURLOPT_FOLLOWLOCATION, 0)
        // The empty string offers every encoding this libcurl can decode (gzip, deflate, ...).
        ccurl_setopt_string(raw, CURLOPT_ACCEPT_ENCODING, "")
        ccurl_setopt_pointer(raw, CURLOPT_ERRORBUFFER, errorBuffer)
        // No proxy option is set, so libcurl applies the proxy environment variables itself.
        switch request.method {
        case "GET": ccurl_setopt_long(raw, CURLOPT_HTTPGET, 1)
        case "POST": ccurl_setopt_long(raw, CURLOPT_POST, 1)
        default: ccurl_setopt_string(raw, CURLOPT_CUSTOMREQUEST, request.method)
        }
        ccurl_setopt_slist(raw, CURLOPT_HTTPHEADER, headers)
        ccurl_setopt_write_function(raw) { data, size, count, context in
            guard let context else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            return sink.appendBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }
        ccurl_setopt_pointer(raw, CURLOPT_WRITEDATA, context)
        ccurl_setopt_header_function(raw) { data, size, count, context in
            guard let context else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            sink.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
            return length
        }
        ccurl_setopt_pointer(raw, CURLOPT_HEADERDATA, context)
    }
}
