import HTTP
import Testing

@Suite struct HTTPErrorTests {
    @Test func jsonWireForm() {
        let error = HTTPError.notFound(message: "No route matches /x.")
        let response = error.response
        #expect(response.status == .notFound)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == #"{"error":{"code":"not_found","message":"No route matches /x."}}"#
        )
    }

    @Test(arguments: [
        ("say \"hi\"", #""say \"hi\"""#),
        ("back\\slash", #""back\\slash""#),
        ("line\nbreak\r\ttab", #""line\nbreak\r\ttab""#),
        ("\u{0}\u{1}\u{8}\u{C}\u{1F}", #""\u0000\u0001\b\f\u001f""#),
        ("群组不存在 😀", "\"群组不存在 😀\""),
        ("</script>", "\"</script>\""),
    ])
    func messageEscaping(message: String, expected: String) {
        let body = String(decoding: HTTPError(status: .badRequest, code: "c", message: message).jsonBody, as: UTF8.self)
        #expect(body == #"{"error":{"code":"c","message":"# + expected + "}}")
    }

    @Test func extraHeadersAreSent() {
        var error = HTTPError(status: .tooManyRequests, code: "rate_limited", message: "Slow down.")
        error.headers.add(name: "Retry-After", value: "30")
        let encoded = String(decoding: error.response.encode(keepAlive: true), as: UTF8.self)
        #expect(encoded.hasPrefix("HTTP/1.1 429 Too Many Requests\r\n"))
        #expect(encoded.contains("Retry-After: 30\r\n"))
    }

    @Test func parseErrorConvertsToHTTPError() {
        let parseError = HTTPParseError(status: .badRequest, code: "x", message: "y")
        #expect(parseError.httpError == HTTPError(status: .badRequest, code: "x", message: "y"))
        #expect(HTTPError.internalError().status == .internalServerError)
        #expect(HTTPError.badRequest(message: "m").code == "bad_request")
    }
}
