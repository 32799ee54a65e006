/// An HTTP status code (RFC 9110 §15) with its standard reason phrase.
///
/// Any integer can be wrapped; ``HTTPResponse`` writes it as-is, so use values in `100...599`.
public struct HTTPStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code, e.g. `404`.
    public let rawValue: Int

    /// Wraps a numeric status code.
    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// 100 Continue.
    public static let `continue` = HTTPStatus(rawValue: 100)
    /// 101 Switching Protocols.
    public static let switchingProtocols = HTTPStatus(rawValue: 101)
    /// 200 OK.
    public static let ok = HTTPStatus(rawValue: 200)
    /// 201 Created.
    public static let created = HTTPStatus(rawValue: 201)
    /// 202 Accepted.
    public static let accepted = HTTPStatus(rawValue: 202)
    /// 204 No Content.
    public static let noContent = HTTPStatus(rawValue: 204)
    /// 206 Partial Content.
    public static let partialContent = HTTPStatus(rawValue: 206)
    /// 301 Moved Permanently.
    public static let movedPermanently = HTTPStatus(rawValue: 301)
    /// 302 Found.
    public static let found = HTTPStatus(rawValue: 302)
    /// 303 See Other.
    public static let seeOther = HTTPStatus(rawValue: 303)
    /// 304 Not Modified.
    public static let notModified = HTTPStatus(rawValue: 304)
    /// 307 Temporary Redirect.
    public static let temporaryRedirect = HTTPStatus(rawValue: 307)
    /// 308 Permanent Redirect.
    public static let permanentRedirect = HTTPStatus(rawValue: 308)
    /// 400 Bad Request.
    public static let badRequest = HTTPStatus(rawValue: 400)
    /// 401 Unauthorized.
    public static let unauthorized = HTTPStatus(rawValue: 401)
    /// 403 Forbidden.
    public static let forbidden = HTTPStatus(rawValue: 403)
    /// 404 Not Found.
    public static let notFound = HTTPStatus(rawValue: 404)
    /// 405 Method Not Allowed.
    public static let methodNotAllowed = HTTPStatus(rawValue: 405)
    /// 406 Not Acceptable.
    public static let notAcceptable = HTTPStatus(rawValue: 406)
    /// 408 Request Timeout.
    public static let requestTimeout = HTTPStatus(rawValue: 408)
    /// 409 Conflict.
    public static let conflict = HTTPStatus(rawValue: 409)
    /// 410 Gone.
    public static let gone = HTTPStatus(rawValue: 410)
    /// 411 Length Required.
    public static let lengthRequired = HTTPStatus(rawValue: 411)
    /// 412 Precondition Failed.
    public static let preconditionFailed = HTTPStatus(rawValue: 412)
    /// 413 Content Too Large.
    public static let contentTooLarge = HTTPStatus(rawValue: 413)
    /// 414 URI Too Long.
    public static let uriTooLong = HTTPStatus(rawValue: 414)
    /// 415 Unsupported Media Type.
    public static let unsupportedMediaType = HTTPStatus(rawValue: 415)
    /// 416 Range Not Satisfiable.
    public static let rangeNotSatisfiable = HTTPStatus(rawValue: 416)
    /// 417 Expectation Failed.
    public static let expectationFailed = HTTPStatus(rawValue: 417)
    /// 422 Unprocessable Content.
    public static let unprocessableContent = HTTPStatus(rawValue: 422)
    /// 426 Upgrade Required.
    public static let upgradeRequired = HTTPStatus(rawValue: 426)
    /// 428 Precondition Required.
    public static let preconditionRequired = HTTPStatus(rawValue: 428)
    /// 429 Too Many Requests.
    public static let tooManyRequests = HTTPStatus(rawValue: 429)
    /// 431 Request Header Fields Too Large.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(rawValue: 431)
    /// 500 Internal Server Error.
    public static let internalServerError = HTTPStatus(rawValue: 500)
    /// 501 Not Implemented.
    public static let notImplemented = HTTPStatus(rawValue: 501)
    /// 502 Bad Gateway.
    public static let badGateway = HTTPStatus(rawValue: 502)
    /// 503 Service Unavailable.
    public static let serviceUnavailable = HTTPStatus(rawValue: 503)
    /// 504 Gateway Timeout.
    public static let gatewayTimeout = HTTPStatus(rawValue: 504)
    /// 505 HTTP Version Not Supported.
    public static let httpVersionNotSupported = HTTPStatus(rawValue: 505)
    /// 507 Insufficient Storage.
    public static let insufficientStorage = HTTPStatus(rawValue: 507)

    /// The standard reason phrase, or `""` for codes this type does not name (the phrase is optional on the wire).
    public var reasonPhrase: String {
        switch rawValue {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 416: "Range Not Satisfiable"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 426: "Upgrade Required"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        case 507: "Insufficient Storage"
        default: ""
        }
    }

    /// The code and phrase, e.g. `404 Not Found`.
    public var description: String { reasonPhrase.isEmpty ? "\(rawValue)" : "\(rawValue) \(reasonPhrase)" }

    /// Whether the status is informational (1xx); such responses never carry content.
    public var isInformational: Bool { (100...199).contains(rawValue) }

    /// Whether a response with this status must not carry content or `Content-Length`: 1xx, 204 and 304
    /// (RFC 9110 §8.6, §15.3.5, §15.4.5).
    public var forbidsContent: Bool { isInformational || rawValue == 204 || rawValue == 304 }
}
