/// A response to serialize onto an HTTP/1.1 connection.
///
/// The encoder owns message framing: it writes `Content-Length` itself and drops any `Content-Length` or
/// `Transfer-Encoding` in ``headers``. CR, LF and NUL in header names and values are replaced by spaces so that a
/// value built from client input can never split the response.
public struct HTTPResponse: Sendable, Equatable {
    /// The status.
    public var status: HTTPStatus
    /// The header fields, excluding framing headers (see the type's documentation).
    public var headers: HTTPHeaders
    /// The complete body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with `Content-Type: application/json; charset=utf-8` and an already-encoded JSON body.
    public static func json(_ status: HTTPStatus = .ok, body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: body)
    }

    /// A response with `Content-Type: text/plain; charset=utf-8`.
    public static func text(_ status: HTTPStatus = .ok, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// Serializes the status line, headers and body.
    ///
    /// - Sets `Content-Length: body.count` unless the status is 1xx, 204 or 304, which carry neither the header nor
    ///   a body.
    /// - Adds `Connection: close` (replacing any `Connection` field) when `keepAlive` is false. Pass `true` for a
    ///   101 response so its `Connection: Upgrade` survives.
    /// - Adds `Date: date` when `date` is given and ``headers`` has no `Date`.
    /// - For a `HEAD` request (`isHead`), keeps `Content-Length` as `GET` would send it but omits the body
    ///   (RFC 9110 §9.3.2).
    public func encode(keepAlive: Bool, isHead: Bool = false, date: String? = nil) -> [UInt8] {
        let sendsBody = !isHead && !status.forbidsContent
        var output = encodeHead(contentLength: body.count, keepAlive: keepAlive, date: date, extraCapacity: body.count)
        if sendsBody {
            output.append(contentsOf: body)
        }
        return output
    }

    /// Serializes a response to `request`, taking `keepAlive` and `isHead` from it.
    ///
    /// For an HTTP/1.0 client that asked for keep-alive it also adds `Connection: keep-alive`, without which such a
    /// client would not reuse the connection.
    public func encode(for request: RequestHead, date: String? = nil) -> [UInt8] {
        var response = self
        if request.keepAlive, request.version == .http1_0, !headers.contains(name: "Connection") {
            response.headers.add(name: "Connection", value: "keep-alive")
        }
        return response.encode(keepAlive: request.keepAlive, isHead: request.method == .HEAD, date: date)
    }

    /// Serializes only the status line and headers, for a body the caller streams itself (e.g. a file download).
    ///
    /// Writes `Content-Length: contentLength` when given and the status allows content; ``body`` is ignored. The
    /// other rules are those of ``encode(keepAlive:isHead:date:)``. The caller must then send exactly
    /// `contentLength` bytes (none for a `HEAD` request). Without a length the body can only be delimited by closing
    /// the connection, so pass `keepAlive: false` then.
    public func encodeHead(contentLength: Int?, keepAlive: Bool, date: String? = nil) -> [UInt8] {
        encodeHead(contentLength: contentLength, keepAlive: keepAlive, date: date, extraCapacity: 0)
    }

    private func encodeHead(contentLength: Int?, keepAlive: Bool, date: String?, extraCapacity: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128 + headers.count * 40 + extraCapacity)
        output.append(contentsOf: "HTTP/1.1 \(status.rawValue) \(status.reasonPhrase)\r\n".utf8)
        var hasDate = false
        for (name, value) in headers {
            if ASCII.equalsIgnoringCase(name, "content-length") || ASCII.equalsIgnoringCase(name, "transfer-encoding") {
                continue
            }
            if !keepAlive, ASCII.equalsIgnoringCase(name, "connection") {
                continue
            }
            if ASCII.equalsIgnoringCase(name, "date") {
                hasDate = true
            }
            Self.appendField(name, value, to: &output)
        }
        if let contentLength, !status.forbidsContent {
            Self.appendField("Content-Length", String(contentLength), to: &output)
        }
        if !keepAlive {
            Self.appendField("Connection", "close", to: &output)
        }
        if let date, !hasDate {
            Self.appendField("Date", date, to: &output)
        }
        output.append(contentsOf: [ASCII.cr, ASCII.lf])
        return output
    }

    private static func appendField(_ name: String, _ value: String, to output: inout [UInt8]) {
        appendSanitized(name, to: &output)
        output.append(contentsOf: [ASCII.colon, ASCII.space])
        appendSanitized(value, to: &output)
        output.append(contentsOf: [ASCII.cr, ASCII.lf])
    }

    // Response splitting defence: a CR or LF from client input must never start a new header line.
    private static func appendSanitized(_ text: String, to output: inout [UInt8]) {
        for byte in text.utf8 {
            output.append(byte == ASCII.cr || byte == ASCII.lf || byte == 0 ? ASCII.space : byte)
        }
    }
}
