/// Resource limits enforced by ``RequestParser``.
///
/// Each limit bounds what one peer can make the server buffer or compute; legitimate clients stay far below all of
/// them. Exceeding a limit fails the request with the status named on the property. Negative values behave like 0.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line (method, target and version, without the CRLF), in bytes. → 414 `uri_too_long`.
    ///
    /// Default 8 KiB: RFC 9112 §3 recommends supporting request lines of at least 8000 octets, and it is what nginx
    /// and Node use. The check runs while bytes arrive, so an endless line fails once the limit is passed.
    public var maxRequestLine: Int

    /// Most bytes in the header section after the request line (field lines with their CRLFs, and the final empty
    /// line). → 431
    /// `header_section_too_large`.
    ///
    /// Default 16 KiB: browsers send 1–3 KiB even with cookies; 16 KiB is Node's default. The trailer section of a
    /// chunked body gets a fresh budget of the same size.
    public var maxHeaderBytes: Int

    /// Most field lines in the header section (and, separately, in a trailer section). → 431 `too_many_headers`.
    ///
    /// Default 100: real clients send 5–25. The count is checked per line, so a flood of tiny headers
    /// (CVE-2024-37890) fails after 101 lines without parsing the rest.
    public var maxHeaderCount: Int

    /// Largest request body, in bytes, whether declared by `Content-Length` or accumulated from chunks. → 413
    /// `content_too_large`.
    ///
    /// Default 1 MiB: the API carries small JSON documents. Routes that take uploads raise it for one request with
    /// ``RequestParser/overrideMaxBodySize(_:)`` after seeing the head.
    public var maxBodySize: Int

    /// Most bytes of chunk extensions (everything after the chunk size on a chunk-size line) in one message. → 400
    /// `chunk_extensions_too_large`.
    ///
    /// Default 4 KiB: no client we serve sends extensions, and without a budget a stream of 1-byte chunks with large
    /// extensions costs far more to parse than the body it carries (the issue behind CVE-2023-39326).
    public var maxChunkExtensionBytes: Int

    /// Creates limits; every parameter defaults to the value documented on its property.
    public init(
        maxRequestLine: Int = 8 * 1024,
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodySize: Int = 1024 * 1024,
        maxChunkExtensionBytes: Int = 4 * 1024
    ) {
        self.maxRequestLine = maxRequestLine
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodySize = maxBodySize
        self.maxChunkExtensionBytes = maxChunkExtensionBytes
    }
}
