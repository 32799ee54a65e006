import HTTP
import Testing

/// A raw request and the events it must produce, summarized by ``describe(_:)``.
struct ValidCase: Sendable, CustomTestStringConvertible {
    var name: String
    var raw: String
    var events: [String]

    init(_ name: String, _ raw: String, _ events: [String]) {
        self.name = name
        self.raw = raw
        self.events = events
    }

    var testDescription: String { name }
}

@Suite struct RequestParserTests {
    static let validCases: [ValidCase] = [
        ValidCase("plain GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", ["head GET / 1.1 keep-alive", "end"]),
        ValidCase(
            "query split from path",
            "GET /v1/groups?limit=10&x HTTP/1.1\r\nHost: a\r\n\r\n",
            ["head GET /v1/groups?limit=10&x 1.1 keep-alive", "end"]
        ),
        ValidCase("empty query", "GET /a? HTTP/1.1\r\nHost: a\r\n\r\n", ["head GET /a? 1.1 keep-alive", "end"]),
        ValidCase("HTTP/1.0 closes by default", "GET / HTTP/1.0\r\n\r\n", ["head GET / 1.0", "end"]),
        ValidCase(
            "HTTP/1.0 keep-alive",
            "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
            ["head GET / 1.0 keep-alive", "end"]
        ),
        ValidCase(
            "HTTP/1.1 close",
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            ["head GET / 1.1", "end"]
        ),
        ValidCase(
            "close wins over keep-alive",
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, CLOSE\r\n\r\n",
            ["head GET / 1.1", "end"]
        ),
        ValidCase(
            "Content-Length body",
            "POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
            ["head POST /m 1.1 keep-alive cl=5", "body hello", "end"]
        ),
        ValidCase(
            "Content-Length zero",
            "POST /m HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
            ["head POST /m 1.1 keep-alive cl=0", "end"]
        ),
        ValidCase(
            "identical Content-Length list accepted",
            "PUT /m HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc",
            ["head PUT /m 1.1 keep-alive cl=3", "body abc", "end"]
        ),
        ValidCase(
            "chunked with extensions and trailers",
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value;quoted=\"a\\\"b\"\r\nhello\r\n1 ; x\r\n!\r\n0\r\nX-Trailer: t\r\nY: z\r\n\r\n",
            ["head POST /c 1.1 keep-alive chunked", "body hello!", "end"]
        ),
        ValidCase(
            "chunked coding name is case-insensitive, hex sizes too",
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
            ["head POST /c 1.1 keep-alive chunked", "body 0123456789", "end"]
        ),
        ValidCase(
            "absolute-form takes the path",
            "GET http://example.com/p/q?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
            ["head GET /p/q?x=1 1.1 keep-alive", "end"]
        ),
        ValidCase(
            "absolute-form without path",
            "GET HTTPS://example.com?x HTTP/1.1\r\nHost: example.com\r\n\r\n",
            ["head GET /?x 1.1 keep-alive", "end"]
        ),
        ValidCase("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", ["head OPTIONS * 1.1 keep-alive", "end"]),
        ValidCase(
            "empty lines before the request line are ignored",
            "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
            ["head GET / 1.1 keep-alive", "end"]
        ),
        ValidCase(
            "DELETE with a body is allowed",
            "DELETE /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi",
            ["head DELETE /x 1.1 keep-alive cl=2", "body hi", "end"]
        ),
        ValidCase(
            "GET with a body is allowed",
            "GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi",
            ["head GET /x 1.1 keep-alive cl=2", "body hi", "end"]
        ),
        ValidCase(
            "chunked body that is empty",
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            ["head POST /c 1.1 keep-alive chunked", "end"]
        ),
        ValidCase(
            "upgrade request",
            "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n",
            ["head GET /ws 1.1 keep-alive upgrade=websocket", "end"]
        ),
        ValidCase(
            "Upgrade without the Connection token is not an upgrade",
            "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n",
            ["head GET /ws 1.1 keep-alive", "end"]
        ),
        ValidCase(
            "HTTP/1.0 upgrade is ignored",
            "GET /ws HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
            ["head GET /ws 1.0", "end"]
        ),
        ValidCase(
            "two pipelined requests",
            "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
            ["head GET /1 1.1 keep-alive", "end", "head GET /2 1.1 keep-alive", "end"]
        ),
    ]

    @Test(arguments: validCases)
    func validRequest(_ testCase: ValidCase) {
        let outcome = parse(testCase.raw)
        #expect(outcome.error == nil)
        #expect(outcome.summary == testCase.events)
    }

    @Test func headerValuesAreTrimmedAndKeepOrder() throws {
        let raw = "GET / HTTP/1.1\r\nHost: a\r\nX-A:  one two \t\r\nx-a:\ttwo\r\nX-Empty:\r\nX-Bin: caf\u{E9}\r\n\r\n"
        let outcome = parse(raw)
        guard case .head(let head)? = outcome.events.first else {
            Issue.record("no head: \(outcome)")
            return
        }
        #expect(head.headers["x-a"] == "one two")
        #expect(head.headers.values(for: "X-A") == ["one two", "two"])
        #expect(head.headers["X-Empty"] == "")
        #expect(head.headers["X-Bin"] == "caf\u{E9}")
        #expect(head.headers.map(\.name) == ["Host", "X-A", "x-a", "X-Empty", "X-Bin"])
        #expect(head.host == "a")
        #expect(head.target == "/")
        #expect(head.hasBody == false)
    }

    @Test func headFieldsOfARequest() {
        let outcome = parse(
            "POST /a/b%20c?x=%41 HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
        )
        let expected = RequestHead(
            method: .POST,
            target: "/a/b%20c?x=%41",
            path: "/a/b%20c",
            query: "x=%41",
            version: .http1_1,
            headers: ["Host": "h", "Expect": "100-continue", "Content-Length": "3"],
            keepAlive: true,
            isUpgrade: false,
            contentLength: 3,
            isChunked: false
        )
        #expect(outcome.events == [.head(expected)])
        #expect(expected.expectsContinue)
        #expect(expected.hasBody)
    }

    @Test func bodyIsStreamedAsItArrives() throws {
        var parser = RequestParser()
        parser.feed(Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc".utf8))
        #expect(try parser.next() != nil)
        #expect(try parser.next() == .body(Array("abc".utf8)))
        #expect(try parser.next() == nil)
        parser.feed(Array("defghij".utf8))
        #expect(try parser.next() == .body(Array("defghij".utf8)))
        #expect(try parser.next() == .end)
        #expect(try parser.next() == nil)
        #expect(!parser.hasBufferedBytes)
    }

    @Test func errorsPoisonTheParser() {
        var parser = RequestParser()
        parser.feed(Array("GET / HTTP/2.0\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.versionNotSupportedForTests) { try parser.next() }
        parser.feed(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.versionNotSupportedForTests) { try parser.next() }
        #expect(parser.error?.status == .httpVersionNotSupported)
        #expect(!parser.hasBufferedBytes)
    }

    @Test func bodyLimitCanBeRaisedForOneRequest() throws {
        let limits = HTTPLimits(maxBodySize: 4)
        var parser = RequestParser(limits: limits)
        let request = "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n12345678"
        parser.feed(Array((request + request).utf8))
        guard case .head? = try parser.next() else {
            Issue.record("expected a head")
            return
        }
        parser.overrideMaxBodySize(8)
        #expect(try parser.next() == .body(Array("12345678".utf8)))
        #expect(try parser.next() == .end)
        // The override applied to that request only.
        guard case .head? = try parser.next() else {
            Issue.record("expected a head")
            return
        }
        #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(parser.error?.status == .contentTooLarge)
    }

    @Test(arguments: [
        "GET /1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "GET /1 HTTP/1.0\r\n\r\n",
        "POST /1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx",
    ])
    func noRequestIsProcessedAfterClose(first: String) throws {
        var parser = RequestParser()
        parser.feed(Array((first + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n").utf8))
        var events: [RequestEvent] = []
        while let event = try parser.next() { events.append(event) }
        #expect(events.count(where: { if case .head = $0 { true } else { false } }) == 1)
        #expect(events.last == .end)
        #expect(parser.isClosed)
        #expect(!parser.hasBufferedBytes)
        parser.feed(Array("GET /3 HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(try parser.next() == nil)
        #expect(!parser.hasBufferedBytes)
    }

    @Test func fedCollectionsAndBufferPointers() throws {
        var parser = RequestParser()
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        bytes[0..<10].withUnsafeBytes { parser.feed($0) }
        parser.feed(bytes[10...])
        #expect(try parser.next() != nil)
        #expect(try parser.next() == .end)
        #expect(try parser.next() == nil)
        #expect(!parser.hasBufferedBytes)
    }
}

extension HTTPParseError {
    static let versionNotSupportedForTests = HTTPParseError(
        status: .httpVersionNotSupported,
        code: "http_version_not_supported",
        message: "Only HTTP/1.0 and HTTP/1.1 are supported."
    )
}
