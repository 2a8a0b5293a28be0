/// Size limits the request parser enforces before it buffers more (RFC 9110 §5.4, RFC 9112 §3, §7.1.1).
public struct ParserLimits: Sendable, Equatable {
    /// Longest request line, CRLF excluded; longer is 414 (RFC 9112 §3 recommends supporting 8000).
    public var maxRequestLineLength: Int = 8 * 1024
    /// Longest single header or trailer line, CRLF excluded; longer is 431.
    public var maxHeaderLineLength: Int = 8 * 1024
    /// Largest header section (all field lines with their CRLFs); larger is 431.
    public var maxHeaderSectionSize: Int = 64 * 1024
    /// Most header field lines; more is 431. Trailers are counted the same way.
    public var maxHeaderCount: Int = 100
    /// Largest body, de-chunked; larger is 413, decided from `Content-Length` before reading.
    public var maxBodySize: Int = 8 * 1024 * 1024
    /// Longest chunk-size line including extensions (RFC 9112 §7.1.1 "ought to limit"); longer is 400.
    public var maxChunkLineLength: Int = 4 * 1024
    /// Most empty lines skipped before a request line (RFC 9112 §2.2 allows ignoring a few).
    public var maxLeadingEmptyLines: Int = 8

    /// The defaults above.
    public init() {}
}
