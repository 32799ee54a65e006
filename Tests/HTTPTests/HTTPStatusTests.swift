import HTTP
import Testing

@Suite struct HTTPStatusTests {
    @Test(arguments: [
        (HTTPStatus.switchingProtocols, 101, "Switching Protocols"),
        (.ok, 200, "OK"),
        (.created, 201, "Created"),
        (.noContent, 204, "No Content"),
        (.partialContent, 206, "Partial Content"),
        (.notModified, 304, "Not Modified"),
        (.badRequest, 400, "Bad Request"),
        (.unauthorized, 401, "Unauthorized"),
        (.forbidden, 403, "Forbidden"),
        (.notFound, 404, "Not Found"),
        (.methodNotAllowed, 405, "Method Not Allowed"),
        (.requestTimeout, 408, "Request Timeout"),
        (.conflict, 409, "Conflict"),
        (.gone, 410, "Gone"),
        (.preconditionFailed, 412, "Precondition Failed"),
        (.contentTooLarge, 413, "Content Too Large"),
        (.uriTooLong, 414, "URI Too Long"),
        (.unsupportedMediaType, 415, "Unsupported Media Type"),
        (.rangeNotSatisfiable, 416, "Range Not Satisfiable"),
        (.unprocessableContent, 422, "Unprocessable Content"),
        (.upgradeRequired, 426, "Upgrade Required"),
        (.preconditionRequired, 428, "Precondition Required"),
        (.tooManyRequests, 429, "Too Many Requests"),
        (.requestHeaderFieldsTooLarge, 431, "Request Header Fields Too Large"),
        (.internalServerError, 500, "Internal Server Error"),
        (.notImplemented, 501, "Not Implemented"),
        (.serviceUnavailable, 503, "Service Unavailable"),
        (.httpVersionNotSupported, 505, "HTTP Version Not Supported"),
        (.insufficientStorage, 507, "Insufficient Storage"),
    ])
    func codesAndReasons(status: HTTPStatus, code: Int, reason: String) {
        #expect(status.rawValue == code)
        #expect(status.reasonPhrase == reason)
        #expect(HTTPStatus(rawValue: code) == status)
    }

    @Test func contentRules() {
        #expect(HTTPStatus.continue.forbidsContent)
        #expect(HTTPStatus.noContent.forbidsContent)
        #expect(HTTPStatus.notModified.forbidsContent)
        #expect(!HTTPStatus.ok.forbidsContent)
        #expect(HTTPStatus(rawValue: 299).reasonPhrase == "")
        #expect(HTTPStatus.notFound.description == "404 Not Found")
    }
}
