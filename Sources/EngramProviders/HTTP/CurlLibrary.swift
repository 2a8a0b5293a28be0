import CCurl

/// Facts about the libcurl library Engram is linked against, and its one-time global set-up.
public enum CurlLibrary {
    /// The runtime libcurl version, e.g. `7.88.1` (from `libcurl/7.88.1 OpenSSL/3.0.19 ...`).
    public static var version: String {
        let full = String(cString: curl_version())
        let first = full.split(separator: " ").first ?? Substring(full)
        return String(first.split(separator: "/").last ?? first)
    }

    /// `curl_global_init` must run once, before any handle exists, and is not thread-safe on every
    /// libcurl build (libcurl-thread(3)). A static `let` is initialised exactly once, under a lock the
    /// Swift runtime holds, so every handle creation reads this first.
    private static let globalInitResult: CURLcode = ccurl_global_init_all()

    /// Runs the global initialisation if it has not run yet; false if libcurl could not initialise.
    static func initialize() -> Bool {
        globalInitResult == CURLE_OK
    }
}
