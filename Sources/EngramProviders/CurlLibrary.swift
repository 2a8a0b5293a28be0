import CCurl

/// Facts about the libcurl library Engram is linked against.
public enum CurlLibrary {
    /// The runtime libcurl version, e.g. `7.88.1` (from `libcurl/7.88.1 OpenSSL/3.0.19 ...`).
    public static var version: String {
        let full = String(cString: curl_version())
        let first = full.split(separator: " ").first ?? Substring(full)
        return String(first.split(separator: "/").last ?? first)
    }
}
