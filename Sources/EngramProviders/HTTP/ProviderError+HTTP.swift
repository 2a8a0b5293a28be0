import CCurl
import EngramCore

extension ProviderError {
    /// The error for a final non-2xx answer from `host`. The message names the host and status, never
    /// the body, which may echo the request.
    init(status: Int, host: String) {
        switch status {
        case 401, 403:
            self.init(.authFailed, "\(host) refused the credentials (HTTP \(status))")
        case 429:
            self.init(.rateLimited, "\(host) is rate limiting requests (HTTP 429)")
        case 500..<600:
            self.init(.unavailable, "\(host) failed (HTTP \(status))")
        case 400..<500:
            self.init(.badRequest, "\(host) rejected the request (HTTP \(status))")
        default:
            self.init(.unavailable, "\(host) answered with unexpected HTTP \(status)")
        }
    }

    /// The error for a transfer that ended without a usable response.
    init(transfer: CurlTransfer, host: String, timeout: Duration) {
        if transfer.overflowed {
            self.init(.unavailable, "\(host) sent a response larger than allowed")
            return
        }
        switch transfer.code {
        case CURLE_OPERATION_TIMEDOUT:
            self.init(.timeout, "\(host) did not answer within \(timeout)")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            self.init(.unavailable, "Could not resolve \(host)")
        case CURLE_COULDNT_CONNECT:
            self.init(.unavailable, "Could not connect to \(host)")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CIPHER:
            self.init(.unavailable, "TLS with \(host) failed")
        default:
            self.init(.unavailable, "The connection to \(host) failed")
        }
    }
}
