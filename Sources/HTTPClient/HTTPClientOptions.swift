/// Limits and trust settings for one `HTTPClient.send` call (including its redirects).
public struct HTTPClientOptions: Sendable {
    /// Seconds for the whole exchange: DNS is not covered (getaddrinfo blocks), everything after it is.
    public var timeout: Double
    /// Largest accepted response body; enforced while reading, so a huge feed never sits in memory.
    public var maxBodyBytes: Int
    /// Largest accepted status line plus header fields (and, separately, chunked trailers).
    public var maxHeaderBytes: Int
    /// PEM bundle to trust instead of the system store (tests, private CAs).
    public var caFile: String?
    /// Redirects (301/302/303/307/308) followed for GET; other methods get the 3xx response itself.
    public var maxRedirects: Int

    public init(
        timeout: Double = 10,
        maxBodyBytes: Int = 8 << 20,
        maxHeaderBytes: Int = 64 << 10,
        caFile: String? = nil,
        maxRedirects: Int = 3
    ) {
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.caFile = caFile
        self.maxRedirects = maxRedirects
    }
}
