/// Why an opening handshake was refused, with everything needed to write the HTTP error response.
public struct HandshakeError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status: 400, 403, 405 or 426.
    public let status: Int
    /// A stable identifier for logs and metrics, such as `not_get` or `bad_key`.
    public let code: String
    /// A human-readable explanation, safe to send in the response body.
    public let message: String
    /// Header fields the response must carry: `Allow: GET` for 405, `Sec-WebSocket-Version: 13` for 426.
    public let headers: [(name: String, value: String)]

    /// Creates an error.
    public init(status: Int, code: String, message: String, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// `status code: message`.
    public var description: String {
        "\(status) \(code): \(message)"
    }

    /// 405: the method is not GET (RFC 6455 §4.1 item 2).
    static let notGet = HandshakeError(
        status: 405,
        code: "not_get",
        message: "WebSocket handshakes must use GET.",
        headers: [("Allow", "GET")]
    )
    /// 400: the request is older than HTTP/1.1 (§4.1 item 2).
    static let oldHTTPVersion = HandshakeError(
        status: 400,
        code: "http_version",
        message: "WebSocket handshakes require HTTP/1.1 or later."
    )
    /// 400: `Upgrade` does not include the `websocket` token (§4.2.1 item 3).
    static let missingUpgrade = HandshakeError(
        status: 400,
        code: "missing_upgrade",
        message: "The Upgrade header must include \"websocket\"."
    )
    /// 400: `Connection` does not include the `upgrade` token (§4.2.1 item 4).
    static let missingConnectionUpgrade = HandshakeError(
        status: 400,
        code: "missing_connection_upgrade",
        message: "The Connection header must include \"Upgrade\"."
    )
    /// 400: `Sec-WebSocket-Key` is absent.
    static let missingKey = HandshakeError(
        status: 400,
        code: "missing_key",
        message: "The Sec-WebSocket-Key header is required."
    )
    /// 400: `Sec-WebSocket-Key` is repeated or is not the base64 encoding of 16 bytes (§4.2.1 item 5).
    static let badKey = HandshakeError(
        status: 400,
        code: "bad_key",
        message: "Sec-WebSocket-Key must appear once and be the base64 encoding of 16 bytes."
    )
    /// 426: `Sec-WebSocket-Version` is absent (§4.2.1 item 6).
    static let missingVersion = HandshakeError(
        status: 426,
        code: "missing_version",
        message: "The Sec-WebSocket-Version header is required.",
        headers: [("Sec-WebSocket-Version", "13")]
    )
    /// 426: `Sec-WebSocket-Version` is not exactly `13` (§4.4).
    static let unsupportedVersion = HandshakeError(
        status: 426,
        code: "unsupported_version",
        message: "Only WebSocket version 13 is supported.",
        headers: [("Sec-WebSocket-Version", "13")]
    )
    /// 403: the `Origin` is not on the allow-list (§4.2.2 item 4).
    static let originNotAllowed = HandshakeError(
        status: 403,
        code: "origin_not_allowed",
        message: "This origin is not allowed."
    )
}
