/// An error that maps to an HTTP response with a JSON body.
///
/// The wire form is `{"error":{"code":"not_found","message":"No route matches /x."}}` with
/// `Content-Type: application/json; charset=utf-8`, plus any extra ``headers`` (such as `Allow` or `Retry-After`).
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The response status.
    public var status: HTTPStatus
    /// A stable, machine-readable identifier in snake_case, e.g. `"not_found"`; clients branch on this.
    public var code: String
    /// A readable sentence for humans; may change between releases.
    public var message: String
    /// Extra response headers, e.g. `Allow` for 405 or `Retry-After` for 429/503.
    public var headers: HTTPHeaders

    /// Creates an error.
    public init(status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// 400 with the given code and message.
    public static func badRequest(code: String = "bad_request", message: String) -> HTTPError {
        HTTPError(status: .badRequest, code: code, message: message)
    }

    /// 404 `not_found`.
    public static func notFound(message: String = "The requested resource does not exist.") -> HTTPError {
        HTTPError(status: .notFound, code: "not_found", message: message)
    }

    /// 405 `method_not_allowed` with an `Allow` header listing `allowed`.
    public static func methodNotAllowed(allowed: [HTTPMethod]) -> HTTPError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return HTTPError(
            status: .methodNotAllowed,
            code: "method_not_allowed",
            message: "This resource supports only: \(list).",
            headers: ["Allow": list]
        )
    }

    /// 429 with `Retry-After`: `wait` seconds rounded up to whole ones (at least 1); `message` gets them.
    public static func tooManyRequests(wait: Double, code: String, message: (Int) -> String) -> HTTPError {
        let seconds = max(1, Int(wait.rounded(.up)))
        return HTTPError(
            status: .tooManyRequests,
            code: code,
            message: message(seconds),
            headers: ["Retry-After": String(seconds)]
        )
    }

    /// 500 `internal_error`, with a message that reveals nothing about the cause.
    public static func internalError(message: String = "The server failed to process the request.") -> HTTPError {
        HTTPError(status: .internalServerError, code: "internal_error", message: message)
    }

    /// The JSON body, `{"error":{"code":…,"message":…}}`, as UTF-8.
    public var jsonBody: [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(32 + code.utf8.count + message.utf8.count)
        body.append(contentsOf: #"{"error":{"code":"#.utf8)
        JSONString.append(code, to: &body)
        body.append(contentsOf: #","message":"#.utf8)
        JSONString.append(message, to: &body)
        body.append(contentsOf: "}}".utf8)
        return body
    }

    /// The response: ``status``, ``headers`` and the JSON body.
    public var response: HTTPResponse {
        var response = HTTPResponse.json(status, body: jsonBody)
        for (name, value) in headers {
            response.headers.add(name: name, value: value)
        }
        return response
    }

    /// `status code: message`.
    public var description: String { "\(status.rawValue) \(code): \(message)" }
}
