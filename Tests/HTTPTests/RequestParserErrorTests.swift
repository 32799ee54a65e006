import HTTP
import Testing

/// A raw request that must fail with `status` and `code`, after the events in `before` (usually none).
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var raw: [UInt8]
    var status: Int
    var code: String
    var before: [String]
    var limits: HTTPLimits

    init(
        _ name: String,
        _ raw: String,
        _ status: Int,
        _ code: String,
        before: [String] = [],
        limits: HTTPLimits = HTTPLimits()
    ) {
        self.name = name
        self.raw = Array(raw.utf8)
        self.status = status
        self.code = code
        self.before = before
        self.limits = limits
    }

    var testDescription: String { name }
}

private let host = "Host: a\r\n"
private let chunkedHead = "head POST /p 1.1 keep-alive chunked"

/// A two-letter header name, `aa` … `zz`, as in the CVE-2024-37890 proof of concept.
private func twoLetters(_ index: Int) -> String {
    let letters = Array("abcdefghijklmnopqrstuvwxyz")
    return String([letters[index % 26], letters[index / 26 % 26]])
}
private func post(_ headers: String, _ body: String = "") -> String {
    "POST /p HTTP/1.1\r\n" + host + headers + "\r\n" + body
}

@Suite struct RequestParserErrorTests {
    static let requestLineCases: [ErrorCase] = [
        ErrorCase("HTTP/2.0", "GET / HTTP/2.0\r\n\(host)\r\n", 505, "http_version_not_supported"),
        ErrorCase("HTTP/1.2", "GET / HTTP/1.2\r\n\(host)\r\n", 505, "http_version_not_supported"),
        ErrorCase("HTTP/0.9 version", "GET / HTTP/0.9\r\n\r\n", 505, "http_version_not_supported"),
        ErrorCase("HTTP/0.9 style line", "GET /\r\n\r\n", 400, "malformed_request_line"),
        ErrorCase("method only", "GET\r\n\r\n", 400, "malformed_request_line"),
        ErrorCase("empty target", "GET  HTTP/1.1\r\n\(host)\r\n", 400, "malformed_request_line"),
        ErrorCase("leading space", " GET / HTTP/1.1\r\n\(host)\r\n", 400, "malformed_request_line"),
        ErrorCase("lowercase protocol", "GET / http/1.1\r\n\(host)\r\n", 400, "invalid_http_version"),
        ErrorCase("HTTP/1", "GET / HTTP/1\r\n\(host)\r\n", 400, "invalid_http_version"),
        ErrorCase("HTTP/1.10", "GET / HTTP/1.10\r\n\(host)\r\n", 400, "invalid_http_version"),
        ErrorCase("trailing space", "GET / HTTP/1.1 \r\n\(host)\r\n", 400, "invalid_http_version"),
        ErrorCase("unknown method", "BREW /pot HTTP/1.1\r\n\(host)\r\n", 501, "not_implemented"),
        ErrorCase("CONNECT", "CONNECT a:443 HTTP/1.1\r\n\(host)\r\n", 501, "not_implemented"),
        ErrorCase("methods are case-sensitive", "get / HTTP/1.1\r\n\(host)\r\n", 501, "not_implemented"),
        ErrorCase("method not a token", "G@T / HTTP/1.1\r\n\(host)\r\n", 400, "invalid_method"),
        ErrorCase("relative target", "GET a/b HTTP/1.1\r\n\(host)\r\n", 400, "invalid_request_target"),
        ErrorCase("asterisk with GET", "GET * HTTP/1.1\r\n\(host)\r\n", 400, "invalid_request_target"),
        ErrorCase("other scheme", "GET ftp://a/b HTTP/1.1\r\n\(host)\r\n", 400, "invalid_request_target"),
        ErrorCase("empty authority", "GET http:///b HTTP/1.1\r\n\(host)\r\n", 400, "invalid_request_target"),
        ErrorCase("fragment", "GET /a#b HTTP/1.1\r\n\(host)\r\n", 400, "invalid_request_target"),
        ErrorCase("raw UTF-8 target", "GET /caf\u{E9} HTTP/1.1\r\n\(host)\r\n", 400, "invalid_request_target"),
        ErrorCase("control in target", "GET /a\u{1}b HTTP/1.1\r\n\(host)\r\n", 400, "invalid_request_target"),
        ErrorCase("NUL in target", "GET /a\u{0} HTTP/1.1\r\n\(host)\r\n", 400, "invalid_request_target"),
        ErrorCase("long request line, no CRLF yet", "GET /" + String(repeating: "a", count: 8200), 414, "uri_too_long"),
        ErrorCase(
            "long request line",
            "GET /" + String(repeating: "a", count: 8200) + " HTTP/1.1\r\n\(host)\r\n",
            414,
            "uri_too_long"
        ),
        ErrorCase("bare LF after request line", "GET / HTTP/1.1\n\(host)\r\n", 400, "invalid_line_ending"),
        ErrorCase("bare LF everywhere", "GET / HTTP/1.1\nHost: a\n\n", 400, "invalid_line_ending"),
        ErrorCase("bare CR in request line", "GET /\r HTTP/1.1\r\n\(host)\r\n", 400, "invalid_line_ending"),
    ]

    static let headerCases: [ErrorCase] = [
        ErrorCase("space before colon", post("Transfer-Encoding : chunked\r\n"), 400, "invalid_header_name"),
        ErrorCase("no colon", "GET / HTTP/1.1\r\nHost a\r\n\r\n", 400, "invalid_header_name"),
        ErrorCase("empty name", "GET / HTTP/1.1\r\n\(host): x\r\n\r\n", 400, "invalid_header_name"),
        ErrorCase("non-token name", "GET / HTTP/1.1\r\n\(host)X(y): 1\r\n\r\n", 400, "invalid_header_name"),
        ErrorCase("obs-fold", "GET / HTTP/1.1\r\n\(host)X: a\r\n b\r\n\r\n", 400, "obsolete_line_folding"),
        ErrorCase("obs-fold with tab", "GET / HTTP/1.1\r\n\(host)X: a\r\n\tb\r\n\r\n", 400, "obsolete_line_folding"),
        ErrorCase("leading whitespace line", "GET / HTTP/1.1\r\n \(host)\r\n", 400, "obsolete_line_folding"),
        ErrorCase("bare CR in value", "GET / HTTP/1.1\r\n\(host)X: a\rb\r\n\r\n", 400, "invalid_line_ending"),
        ErrorCase("bare CR before CRLF", "GET / HTTP/1.1\r\n\(host)X: a\r\r\n\r\n", 400, "invalid_line_ending"),
        ErrorCase("bare LF terminator", "GET / HTTP/1.1\r\n\(host)X: a\n\r\n", 400, "invalid_line_ending"),
        ErrorCase("bare LF ends head", "GET / HTTP/1.1\r\n\(host)\n", 400, "invalid_line_ending"),
        ErrorCase("NUL in value", "GET / HTTP/1.1\r\n\(host)X: a\u{0}b\r\n\r\n", 400, "invalid_header_value"),
        ErrorCase("control in value", "GET / HTTP/1.1\r\n\(host)X: a\u{1B}b\r\n\r\n", 400, "invalid_header_value"),
        ErrorCase("DEL in value", "GET / HTTP/1.1\r\n\(host)X: a\u{7F}\r\n\r\n", 400, "invalid_header_value"),
        ErrorCase("missing Host", "GET / HTTP/1.1\r\n\r\n", 400, "invalid_host"),
        ErrorCase("two Hosts", "GET / HTTP/1.1\r\n\(host)\(host)\r\n", 400, "invalid_host"),
        ErrorCase("two Hosts in 1.0", "GET / HTTP/1.0\r\n\(host)\(host)\r\n", 400, "invalid_host"),
        ErrorCase(
            "2000 tiny headers (CVE-2024-37890)",
            "GET / HTTP/1.1\r\n\(host)" + (0..<2000).map { twoLetters($0) + ":\r\n" }.joined() + "\r\n",
            431,
            "too_many_headers"
        ),
        ErrorCase(
            "101 headers",
            "GET / HTTP/1.1\r\n" + (0..<101).map { "X\($0): v\r\n" }.joined() + "\r\n",
            431,
            "too_many_headers"
        ),
        ErrorCase(
            "header section too large",
            "GET / HTTP/1.1\r\n\(host)X: " + String(repeating: "v", count: 17_000) + "\r\n\r\n",
            431,
            "header_section_too_large"
        ),
        ErrorCase(
            "header section too large, no CRLF yet",
            "GET / HTTP/1.1\r\n\(host)X: " + String(repeating: "v", count: 17_000),
            431,
            "header_section_too_large"
        ),
    ]

    static let framingCases: [ErrorCase] = [
        ErrorCase(
            "CL and TE",
            post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
            400,
            "conflicting_framing"
        ),
        ErrorCase(
            "TE and CL",
            post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"),
            400,
            "conflicting_framing"
        ),
        ErrorCase("differing CL list", post("Content-Length: 5, 6\r\n", "hello!"), 400, "invalid_content_length"),
        ErrorCase(
            "differing repeated CL",
            post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"),
            400,
            "invalid_content_length"
        ),
        ErrorCase("CL with sign", post("Content-Length: +5\r\n", "hello"), 400, "invalid_content_length"),
        ErrorCase("negative CL", post("Content-Length: -1\r\n"), 400, "invalid_content_length"),
        ErrorCase("CL with letters", post("Content-Length: 5a\r\n"), 400, "invalid_content_length"),
        ErrorCase("hex CL", post("Content-Length: 0x10\r\n"), 400, "invalid_content_length"),
        ErrorCase("empty CL", post("Content-Length: \r\n"), 400, "invalid_content_length"),
        ErrorCase("CL empty list element", post("Content-Length: 5,,5\r\n"), 400, "invalid_content_length"),
        ErrorCase(
            "CL overflow",
            post("Content-Length: 99999999999999999999999\r\n"),
            400,
            "invalid_content_length"
        ),
        ErrorCase(
            "CL just past Int.max",
            post("Content-Length: 9223372036854775808\r\n"),
            400,
            "invalid_content_length"
        ),
        ErrorCase("TE gzip, chunked", post("Transfer-Encoding: gzip, chunked\r\n"), 501, "unsupported_transfer_coding"),
        ErrorCase("TE chunked, gzip", post("Transfer-Encoding: chunked, gzip\r\n"), 501, "unsupported_transfer_coding"),
        ErrorCase("TE gzip", post("Transfer-Encoding: gzip\r\n"), 501, "unsupported_transfer_coding"),
        ErrorCase("TE identity", post("Transfer-Encoding: identity\r\n"), 501, "unsupported_transfer_coding"),
        ErrorCase(
            "TE chunked twice",
            post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
            501,
            "unsupported_transfer_coding"
        ),
        ErrorCase("TE with parameters", post("Transfer-Encoding: chunked;x=1\r\n"), 501, "unsupported_transfer_coding"),
        ErrorCase("TE empty", post("Transfer-Encoding:\r\n"), 400, "invalid_transfer_encoding"),
        ErrorCase("TE trailing comma", post("Transfer-Encoding: chunked,\r\n"), 400, "invalid_transfer_encoding"),
        ErrorCase(
            "TE in HTTP/1.0",
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "invalid_transfer_encoding"
        ),
        ErrorCase(
            "1 GB declared body",
            post("Content-Length: 1073741824\r\n"),
            413,
            "content_too_large",
            before: ["head POST /p 1.1 keep-alive cl=1073741824"]
        ),
        ErrorCase(
            "GET with a 1 GB body",
            "GET / HTTP/1.1\r\n\(host)Content-Length: 1000000000\r\n\r\n",
            413,
            "content_too_large",
            before: ["head GET / 1.1 keep-alive cl=1000000000"]
        ),
        ErrorCase(
            "CL one byte over the limit",
            post("Content-Length: 1048577\r\n"),
            413,
            "content_too_large",
            before: ["head POST /p 1.1 keep-alive cl=1048577"]
        ),
    ]

    static let chunkedCases: [ErrorCase] = [
        ErrorCase(
            "chunk size overflow",
            chunked("FFFFFFFFFFFFFFFFFF\r\n"),
            400,
            "invalid_chunk_size",
            before: [chunkedHead]
        ),
        ErrorCase(
            "chunk size past Int.max",
            chunked("8000000000000000\r\n"),
            400,
            "invalid_chunk_size",
            before: [chunkedHead]
        ),
        ErrorCase(
            "17 digits, no CRLF yet",
            chunked(String(repeating: "0", count: 5000)),
            400,
            "invalid_chunk_size",
            before: [chunkedHead]
        ),
        ErrorCase("chunk size not hex", chunked("zz\r\n"), 400, "invalid_chunk_size", before: [chunkedHead]),
        ErrorCase("empty chunk size", chunked("\r\n"), 400, "invalid_chunk_size", before: [chunkedHead]),
        ErrorCase("negative chunk size", chunked("-1\r\n"), 400, "invalid_chunk_size", before: [chunkedHead]),
        ErrorCase("space inside chunk size", chunked("1 0\r\n"), 400, "invalid_chunk_extension", before: [chunkedHead]),
        ErrorCase(
            "empty extension",
            chunked("5;\r\nhello\r\n0\r\n\r\n"),
            400,
            "invalid_chunk_extension",
            before: [chunkedHead]
        ),
        ErrorCase(
            "unterminated quoted extension",
            chunked("5;a=\"x\r\n"),
            400,
            "invalid_chunk_extension",
            before: [chunkedHead]
        ),
        ErrorCase(
            "control in extension",
            chunked("5;a=\"\u{1}\"\r\n"),
            400,
            "invalid_chunk_extension",
            before: [chunkedHead]
        ),
        ErrorCase(
            "data without CRLF",
            chunked("5\r\nhelloXX"),
            400,
            "invalid_chunk",
            before: [chunkedHead, "body hello"]
        ),
        ErrorCase(
            "data with bare LF",
            chunked("5\r\nhello\n0\r\n\r\n"),
            400,
            "invalid_chunk",
            before: [chunkedHead, "body hello"]
        ),
        ErrorCase(
            "extensions over budget",
            chunked(String(repeating: "1;" + String(repeating: "e", count: 100) + "\r\nx\r\n", count: 50)),
            400,
            "chunk_extensions_too_large",
            before: [chunkedHead, "body " + String(repeating: "x", count: 40)]
        ),
        ErrorCase(
            "one endless extension",
            chunked("1;" + String(repeating: "e", count: 5000)),
            400,
            "chunk_extensions_too_large",
            before: [chunkedHead]
        ),
        ErrorCase(
            "chunks over the body limit",
            chunked("40\r\n" + String(repeating: "x", count: 64) + "\r\n25\r\n"),
            413,
            "content_too_large",
            before: [chunkedHead, "body " + String(repeating: "x", count: 64)],
            limits: HTTPLimits(maxBodySize: 100)
        ),
        ErrorCase(
            "obs-fold in trailer",
            chunked("0\r\nX: a\r\n b\r\n\r\n"),
            400,
            "obsolete_line_folding",
            before: [chunkedHead]
        ),
        ErrorCase(
            "bad trailer name",
            chunked("0\r\nX Y: a\r\n\r\n"),
            400,
            "invalid_header_name",
            before: [chunkedHead]
        ),
        ErrorCase("bare LF in trailer", chunked("0\r\nX: a\n\r\n"), 400, "invalid_line_ending", before: [chunkedHead]),
        ErrorCase(
            "trailer section too large",
            chunked("0\r\nX: " + String(repeating: "t", count: 17_000)),
            431,
            "header_section_too_large",
            before: [chunkedHead]
        ),
        ErrorCase(
            "too many trailers",
            chunked("0\r\n" + String(repeating: "t:\r\n", count: 101) + "\r\n"),
            431,
            "too_many_headers",
            before: [chunkedHead]
        ),
    ]

    private static func chunked(_ body: String) -> String {
        post("Transfer-Encoding: chunked\r\n", body)
    }

    @Test(arguments: requestLineCases + headerCases + framingCases + chunkedCases)
    func rejected(_ testCase: ErrorCase) {
        let outcome = parse([testCase.raw], limits: testCase.limits)
        #expect(outcome.error?.status.rawValue == testCase.status, "\(outcome)")
        #expect(outcome.error?.code == testCase.code, "\(outcome)")
        let before = testCase.before.isEmpty ? [] : Array(outcome.summary.prefix(testCase.before.count))
        let heads = outcome.summary.filter { $0.hasPrefix("head") }
        if testCase.before.isEmpty {
            #expect(heads.isEmpty, "\(outcome)")
        } else {
            #expect(before == testCase.before)
        }
    }

    @Test(arguments: requestLineCases + headerCases + framingCases + chunkedCases)
    func rejectedWhenFedByteByByte(_ testCase: ErrorCase) {
        let whole = parse([testCase.raw], limits: testCase.limits)
        let bytewise = parse(testCase.raw.map { [$0] }, limits: testCase.limits)
        #expect(bytewise.error == whole.error)
        #expect(bytewise.events == whole.events)
    }

    @Test func errorsBecomeJSONResponses() {
        let error = parse("GET / HTTP/3.0\r\n\r\n").error!
        let response = error.httpError.response
        #expect(response.status == .httpVersionNotSupported)
        #expect(String(decoding: response.body, as: UTF8.self).contains(#""code":"http_version_not_supported""#))
    }
}
