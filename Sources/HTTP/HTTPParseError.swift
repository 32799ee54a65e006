/// Why ``RequestParser`` rejected the bytes it was fed.
///
/// After one is thrown the parser is poisoned and the connection's framing can no longer be trusted: send
/// ``httpError``'s response with `keepAlive: false` and close the connection.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The status to answer with: 400, 413, 414, 431, 501 or 505.
    public let status: HTTPStatus
    /// A stable, machine-readable identifier such as `invalid_header_name`.
    public let code: String
    /// A sentence describing the problem, safe to show to the client.
    public let message: String

    /// Creates a parse error.
    public init(status: HTTPStatus, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The same error as an ``HTTPError``, ready to become a JSON response.
    public var httpError: HTTPError {
        HTTPError(status: status, code: code, message: message)
    }

    /// `status code: message`.
    public var description: String { "\(status.rawValue) \(code): \(message)" }
}

extension HTTPParseError {
    static func badRequest(_ code: String, _ message: String) -> HTTPParseError {
        HTTPParseError(status: .badRequest, code: code, message: message)
    }

    static let invalidLineEnding = badRequest(
        "invalid_line_ending",
        "Lines must end with CRLF; a bare CR or LF was received."
    )
    static let malformedRequestLine = badRequest(
        "malformed_request_line",
        "The request line must be 'method SP request-target SP HTTP-version'."
    )
    static let invalidMethod = badRequest("invalid_method", "The request method is not a valid token.")
    static let notImplemented = HTTPParseError(
        status: .notImplemented,
        code: "not_implemented",
        message: "The request method is not supported by this server."
    )
    static let invalidTarget = badRequest("invalid_request_target", "The request target is malformed.")
    static let uriTooLong = HTTPParseError(
        status: .uriTooLong,
        code: "uri_too_long",
        message: "The request line is longer than this server accepts."
    )
    static let invalidVersion = badRequest("invalid_http_version", "The HTTP version is malformed.")
    static let versionNotSupported = HTTPParseError(
        status: .httpVersionNotSupported,
        code: "http_version_not_supported",
        message: "Only HTTP/1.0 and HTTP/1.1 are supported."
    )
    static let obsoleteLineFolding = badRequest(
        "obsolete_line_folding",
        "Header values must not be folded onto continuation lines."
    )
    static let invalidHeaderName = badRequest("invalid_header_name", "A header field name is not a valid token.")
    static let invalidHeaderValue = badRequest(
        "invalid_header_value",
        "A header field value contains a control character."
    )
    static let headerSectionTooLarge = HTTPParseError(
        status: .requestHeaderFieldsTooLarge,
        code: "header_section_too_large",
        message: "The header section is larger than this server accepts."
    )
    static let tooManyHeaders = HTTPParseError(
        status: .requestHeaderFieldsTooLarge,
        code: "too_many_headers",
        message: "The request has more header fields than this server accepts."
    )
    static let invalidHost = badRequest("invalid_host", "An HTTP/1.1 request must have exactly one Host header.")
    static let invalidContentLength = badRequest(
        "invalid_content_length",
        "Content-Length must be a single non-negative decimal number."
    )
    static let conflictingFraming = badRequest(
        "conflicting_framing",
        "A request must not have both Content-Length and Transfer-Encoding."
    )
    static let invalidTransferEncoding = badRequest(
        "invalid_transfer_encoding",
        "Transfer-Encoding is malformed or not allowed in an HTTP/1.0 request."
    )
    static let unsupportedTransferCoding = HTTPParseError(
        status: .notImplemented,
        code: "unsupported_transfer_coding",
        message: "The only supported Transfer-Encoding is 'chunked'."
    )
    static let contentTooLarge = HTTPParseError(
        status: .contentTooLarge,
        code: "content_too_large",
        message: "The request body is larger than this server accepts."
    )
    static let invalidChunkSize = badRequest("invalid_chunk_size", "A chunk size is not a valid hexadecimal number.")
    static let invalidChunkExtension = badRequest("invalid_chunk_extension", "A chunk extension is malformed.")
    static let chunkExtensionsTooLarge = badRequest(
        "chunk_extensions_too_large",
        "The chunk extensions are larger than this server accepts."
    )
    static let invalidChunkTerminator = badRequest("invalid_chunk", "Chunk data must be followed by CRLF.")
}
