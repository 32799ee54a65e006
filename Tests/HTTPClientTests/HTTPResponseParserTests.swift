import TestSupport
import XCTest

@testable import HTTPClient

final class HTTPResponseParserTests: XCTestCase {
    /// Feeds `text` one byte at a time (every split point), then the end of stream if `close`.
    private func parse(
        _ text: String,
        maxHeaderBytes: Int = 1024,
        maxBodyBytes: Int = 1024,
        method: String = "GET",
        close: Bool = false
    ) throws -> HTTPClientResponse? {
        var parser = HTTPResponseParser(
            maxHeaderBytes: maxHeaderBytes,
            maxBodyBytes: maxBodyBytes,
            requestMethod: method
        )
        for byte in text.utf8 {
            if let response = try parser.feed([byte]) { return response }
        }
        return close ? try parser.finish() : nil
    }

    private func parseError(
        _ text: String,
        maxHeaderBytes: Int = 1024,
        maxBodyBytes: Int = 1024,
        close: Bool = false
    )
        -> String?
    {
        do {
            _ = try parse(text, maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes, close: close)
            return nil
        } catch {
            return (error as? HTTPClientError)?.description ?? "\(error)"
        }
    }

    func testContentLengthFedByteByByte() throws {
        let response = try XCTUnwrap(
            parse("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5\r\nX-Empty:\r\n\r\nhello")
        )
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, Array("hello".utf8))
        XCTAssertEqual(response.header("content-type"), "text/xml")
        XCTAssertEqual(response.header("X-EMPTY"), "")
        XCTAssertEqual(response.headers.map(\.0), ["Content-Type", "Content-Length", "X-Empty"])
    }

    func testWholeResponseInOneFeedIgnoresTrailingBytes() throws {
        var parser = HTTPResponseParser(maxHeaderBytes: 1024, maxBodyBytes: 1024)
        let response = try parser.feed(Array("HTTP/1.0 404 Not Found\r\nContent-Length: 2\r\n\r\nnoEXTRA".utf8))
        XCTAssertEqual(response?.status, 404)
        XCTAssertEqual(response?.body, Array("no".utf8))
    }

    func testIncompleteResponseNeedsMoreBytes() throws {
        XCTAssertNil(try parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhell"))
        XCTAssertEqual(
            parseError("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhell", close: true),
            "connection closed before the response was complete"
        )
        XCTAssertEqual(parseError("", close: true), "connection closed without a response")
    }

    func testChunkedWithExtensionsAndTrailers() throws {
        let text =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\nA ;x\r\n, chunked!\r\n0\r\nX-Checksum: abc\r\n\r\n"
        let response = try XCTUnwrap(parse(text))
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "hello, chunked!")
        // Trailers are validated but not merged into the header fields.
        XCTAssertNil(response.header("X-Checksum"))
    }

    func testBadChunkSizesAreRejected() {
        for size in ["zz", "-1", "0x5", " 5", "+5", ""] {
            let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nhello\r\n0\r\n\r\n"
            XCTAssertEqual(parseError(text), "invalid chunk size", "size \(size)")
        }
        let overflow = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n"
        XCTAssertEqual(parseError(overflow, maxBodyBytes: .max), "chunk size overflows")
        let long = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"
        XCTAssertEqual(parseError(long), "chunk data longer than its size")
    }

    func testChunkedBodyLimitAppliesBeforeTheDataArrives() {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n9\r\n"
        XCTAssertEqual(parseError(text, maxBodyBytes: 16), "response body exceeds 16 bytes")
    }

    func testOversizeHeaderIsRejectedWhileReading() {
        let text = "HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "a", count: 200)
        XCTAssertEqual(parseError(text, maxHeaderBytes: 100), "response header exceeds 100 bytes")
    }

    func testOversizeBodyIsRejected() {
        let declared = "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n"
        XCTAssertEqual(parseError(declared), "response body exceeds 1024 bytes")
        let streamed = "HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 1025)
        XCTAssertEqual(parseError(streamed), "response body exceeds 1024 bytes")
    }

    func testNotModifiedAndHeadHaveNoBody() throws {
        let notModified = try XCTUnwrap(
            parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\nETag: \"x\"\r\n\r\n")
        )
        XCTAssertEqual(notModified.status, 304)
        XCTAssertEqual(notModified.body, [])
        let head = try XCTUnwrap(parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", method: "HEAD"))
        XCTAssertEqual(head.body, [])
        let noContent = try XCTUnwrap(parse("HTTP/1.1 204 No Content\r\n\r\n"))
        XCTAssertEqual(noContent.status, 204)
    }

    func testCloseDelimitedBodyEndsAtEndOfStream() throws {
        XCTAssertNil(try parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close"))
        let response = try XCTUnwrap(
            parse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close", close: true)
        )
        XCTAssertEqual(response.body, Array("until close".utf8))
    }

    func testInterimResponsesAreSkipped() throws {
        let text =
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let response = try XCTUnwrap(parse(text))
        XCTAssertEqual(response.status, 200)
        XCTAssertNil(response.header("Link"))
        XCTAssertEqual(response.body, Array("ok".utf8))
    }

    func testMalformedHeadsAreRejected() {
        XCTAssertEqual(parseError("HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\n\r\n"), "obsolete header line folding")
        XCTAssertEqual(parseError("HTTP/1.1 200 OK\r\nX A: 1\r\n\r\n"), "invalid header line")
        XCTAssertEqual(parseError("ICY 200 OK\r\n\r\n"), "invalid status line")
        XCTAssertEqual(parseError("HTTP/1.1 200 OK\r\nX-A: 1\r2\r\n\r\n"), "bare CR in a response line")
        let conflicting = parseError("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
        XCTAssertTrue(conflicting?.hasPrefix("invalid Content-Length") == true, conflicting ?? "accepted")
        XCTAssertEqual(parseError("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"), "invalid Content-Length \"-1\"")
        XCTAssertEqual(
            parseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            "unsupported transfer coding gzip, chunked"
        )
    }
}
