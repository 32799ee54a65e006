/// A validated request line and header section.
public struct RequestHead: Sendable, Equatable {
    /// The request method.
    public var method: HTTPMethod
    /// The request-target exactly as received, e.g. `/v1/groups?limit=10` or `http://host/path`.
    public var target: String
    /// The path of the target, still percent-encoded and without the query: `/v1/groups`. For an absolute-form
    /// target it is the path after the authority (`/` if empty); for `OPTIONS *` it is `*`.
    public var path: String
    /// The raw query after `?` (empty when the target ends with `?`), or nil when there is no `?`.
    public var query: String?
    /// The protocol version, `HTTP/1.0` or `HTTP/1.1`.
    public var version: HTTPVersion
    /// The header fields in arrival order.
    public var headers: HTTPHeaders
    /// Whether the connection may carry another request after this one: for HTTP/1.1 unless `Connection: close`,
    /// for HTTP/1.0 only with `Connection: keep-alive` (RFC 9112 §9.3). `close` wins when both are present.
    public var keepAlive: Bool
    /// Whether this is an HTTP/1.1 protocol upgrade request: an `Upgrade` header plus the `upgrade` token in
    /// `Connection` (RFC 9110 §7.8). HTTP/1.0 upgrade requests are ignored, as that section requires.
    public var isUpgrade: Bool
    /// The declared body length, or nil when there is no `Content-Length`.
    public var contentLength: Int?
    /// Whether the body uses the chunked transfer coding.
    public var isChunked: Bool

    /// Creates a head; the parser derives every field, this initializer exists for tests and synthetic requests.
    public init(
        method: HTTPMethod,
        target: String,
        path: String,
        query: String?,
        version: HTTPVersion,
        headers: HTTPHeaders,
        keepAlive: Bool,
        isUpgrade: Bool,
        contentLength: Int?,
        isChunked: Bool
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.isUpgrade = isUpgrade
        self.contentLength = contentLength
        self.isChunked = isChunked
    }

    /// The protocol the client asks to switch to (the `Upgrade` value, e.g. `websocket`), or nil when this is not
    /// an upgrade request.
    public var upgradeProtocol: String? {
        isUpgrade ? headers["Upgrade"] : nil
    }

    /// Whether a body follows the head.
    public var hasBody: Bool {
        isChunked || (contentLength ?? 0) > 0
    }

    /// Whether the client waits for `100 Continue` before sending the body (`Expect: 100-continue`).
    public var expectsContinue: Bool {
        headers.contains(name: "Expect", token: "100-continue")
    }

    /// The `Host` header value.
    public var host: String? {
        headers["Host"]
    }
}
