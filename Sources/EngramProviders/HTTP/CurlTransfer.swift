import CCurl
import Foundation

/// What one `curl_easy_perform` produced: libcurl's result code and, when a response arrived, its
/// status, fields and body.
struct CurlTransfer {
    /// `CURLE_OK` when a complete response arrived (whatever its status).
    var code: CURLcode
    /// The HTTP status; 0 when no response arrived.
    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data
    /// Whether the transfer was aborted because the body passed the size limit.
    var overflowed: Bool
    /// Whether part of the body went to a stream consumer (so the call cannot be retried).
    var streamed: Bool = false
    /// Whether the stream consumer refused bytes and so aborted the transfer.
    var abandoned: Bool = false
    /// New connections opened for this transfer (0 when a kept-alive one was reused).
    var newConnections: Int
    /// libcurl's description of a failure (may name the host or address; for logs only).
    var detail: String

    /// Whether the transfer failed before a complete response arrived.
    var failed: Bool { code != CURLE_OK }
}

extension CurlTransfer {
    /// Whether a failed transfer is worth another attempt: the connection could not be made or broke
    /// before an answer arrived.
    var isRetryableFailure: Bool {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
             CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            true
        default:
            false
        }
    }
}
