import HTTP
import Testing

@Suite struct HTTPResponseTests {
    private func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    @Test func keepAliveResponse() {
        let response = HTTPResponse.text(.ok, "hi")
        #expect(
            text(response.encode(keepAlive: true))
                == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\nhi"
        )
    }

    @Test func closeAndDate() {
        var response = HTTPResponse(status: .created, body: Array("{}".utf8))
        response.headers.add(name: "Connection", value: "keep-alive")
        response.headers.add(name: "Location", value: "/v1/x")
        let encoded = text(response.encode(keepAlive: false, date: "Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(
            encoded
                == "HTTP/1.1 201 Created\r\nLocation: /v1/x\r\nContent-Length: 2\r\nConnection: close\r\n"
                + "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n{}"
        )
    }

    @Test func headKeepsLengthButDropsBody() {
        let response = HTTPResponse.json(.ok, body: Array("{\"a\":1}".utf8))
        let encoded = text(response.encode(keepAlive: true, isHead: true))
        #expect(encoded.hasSuffix("Content-Length: 7\r\n\r\n"))
    }

    @Test(arguments: [HTTPStatus.noContent, .notModified, .continue, .switchingProtocols])
    func noContentStatuses(_ status: HTTPStatus) {
        let response = HTTPResponse(status: status, headers: ["Content-Length": "9"], body: Array("ignored".utf8))
        let encoded = text(response.encode(keepAlive: true))
        #expect(encoded == "HTTP/1.1 \(status.rawValue) \(status.reasonPhrase)\r\n\r\n")
    }

    @Test func framingHeadersFromTheCallerAreReplaced() {
        let response = HTTPResponse(
            status: .ok,
            headers: ["content-length": "100", "Transfer-Encoding": "chunked"],
            body: [1, 2, 3]
        )
        #expect(text(response.encode(keepAlive: true)) == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n\u{1}\u{2}\u{3}")
    }

    @Test func headerInjectionIsNeutralized() {
        let response = HTTPResponse(status: .ok, headers: ["X-Name": "a\r\nSet-Cookie: evil\u{0}"])
        #expect(text(response.encode(keepAlive: true)).contains("X-Name: a  Set-Cookie: evil \r\n"))
    }

    @Test func existingDateIsKept() {
        let response = HTTPResponse(status: .ok, headers: ["Date": "Mon, 01 Jan 2024 00:00:00 GMT"])
        let encoded = text(response.encode(keepAlive: true, date: "Tue, 02 Jan 2024 00:00:00 GMT"))
        #expect(encoded.contains("Mon, 01 Jan 2024"))
        #expect(!encoded.contains("Tue, 02 Jan 2024"))
    }

    @Test func headOnlyForStreaming() {
        let response = HTTPResponse(status: .partialContent, headers: ["Content-Range": "bytes 0-9/100"])
        #expect(
            text(response.encodeHead(contentLength: 10, keepAlive: true))
                == "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-9/100\r\nContent-Length: 10\r\n\r\n"
        )
        #expect(
            text(HTTPResponse(status: .notModified).encodeHead(contentLength: 10, keepAlive: true))
                == "HTTP/1.1 304 Not Modified\r\n\r\n"
        )
    }

    @Test func encodeForRequest() throws {
        let http10 = parse("HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        guard case .head(let head)? = http10.events.first else {
            Issue.record("no head")
            return
        }
        let encoded = text(HTTPResponse.text(.ok, "body").encode(for: head))
        #expect(encoded.contains("Connection: keep-alive\r\n"))
        #expect(encoded.contains("Content-Length: 4\r\n"))
        #expect(!encoded.hasSuffix("body"))
        let closing = parse("GET / HTTP/1.0\r\n\r\n")
        guard case .head(let closingHead)? = closing.events.first else {
            Issue.record("no head")
            return
        }
        #expect(text(HTTPResponse.text(.ok, "body").encode(for: closingHead)).contains("Connection: close\r\n"))
    }

    @Test func unknownStatusHasEmptyReason() {
        #expect(
            text(HTTPResponse(status: HTTPStatus(rawValue: 299)).encode(keepAlive: true)).hasPrefix("HTTP/1.1 299 \r\n")
        )
    }
}
