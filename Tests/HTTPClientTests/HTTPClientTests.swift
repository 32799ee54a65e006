import Glibc
import TestSupport
import XCTest

@testable import HTTPClient

/// The client against tiny local servers: framing, redirects, request bodies, and every failure path.
final class HTTPClientTests: XCTestCase {
    private func send(
        _ request: HTTPClientRequest,
        options: HTTPClientOptions = .init(timeout: 5)
    ) -> Result<HTTPClientResponse, HTTPClientError> {
        Result { () throws(HTTPClientError) in try HTTPClient.send(request, options: options) }
    }

    private func errorMessage(_ result: Result<HTTPClientResponse, HTTPClientError>) -> String? {
        if case .failure(let error) = result { return error.description }
        return nil
    }

    func testGetWithContentLength() throws {
        let server = try LoopbackServer([
            { connection in
                connection.readRequest()
                connection.write(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 7\r\n\r\n<rss/>\n"
                )
            }
        ])
        defer { server.stop() }
        let response = try send(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/feed.xml?x=1")).get()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("content-type"), "application/rss+xml")
        XCTAssertEqual(response.body, Array("<rss/>\n".utf8))
        let head = try XCTUnwrap(server.requests.first?.head)
        XCTAssertTrue(head.hasPrefix("GET /feed.xml?x=1 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n"), head)
        for field in ["User-Agent: yizhan", "Connection: close", "Accept-Encoding: identity"] {
            XCTAssertTrue(head.contains("\r\n\(field)\r\n"), field)
        }
        XCTAssertFalse(head.contains("Content-Length"))
    }

    func testChunkedResponseAcrossWrites() throws {
        let server = try LoopbackServer([
            { connection in
                connection.readRequest()
                connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n<fee")
                connection.write("d>\r\n7\r\n</feed>\r\n0\r\n\r\n")
            }
        ])
        defer { server.stop() }
        let response = try send(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/")).get()
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "<feed></feed>")
    }

    func testRelativeRedirectIsFollowedForGet() throws {
        let server = try LoopbackServer([
            { connection in
                connection.readRequest()
                connection.write(
                    "HTTP/1.1 301 Moved Permanently\r\nLocation: moved/atom.xml\r\nContent-Length: 0\r\n\r\n"
                )
            },
            { connection in
                connection.readRequest()
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone")
            },
        ])
        defer { server.stop() }
        let response = try send(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/news/rss")).get()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, Array("done".utf8))
        XCTAssertTrue(server.requests.last?.head.hasPrefix("GET /news/moved/atom.xml HTTP/1.1\r\n") == true)
    }

    func testRedirectLimit() throws {
        let redirect: LoopbackServer.Handler = { connection in
            connection.readRequest()
            connection.write("HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n")
        }
        let server = try LoopbackServer([redirect, redirect])
        defer { server.stop() }
        let result = send(
            HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/"),
            options: HTTPClientOptions(timeout: 5, maxRedirects: 1)
        )
        XCTAssertEqual(errorMessage(result), "too many redirects (more than 1)")
    }

    func testPostBodyArrivesAndItsRedirectIsNotFollowed() throws {
        let server = try LoopbackServer([
            { connection in
                connection.readRequest()
                connection.write("HTTP/1.1 303 See Other\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")
            }
        ])
        defer { server.stop() }
        let payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let request = HTTPClientRequest(
            method: "POST",
            url: "http://127.0.0.1:\(server.port)/hooks/1",
            headers: [("Content-Type", "application/json"), ("X-Yizhan-Signature", "sha256=abc")],
            body: payload
        )
        let response = try send(request).get()
        XCTAssertEqual(response.status, 303)
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertTrue(received.head.hasPrefix("POST /hooks/1 HTTP/1.1\r\n"))
        XCTAssertTrue(received.head.contains("\r\nContent-Length: 100000\r\n"))
        XCTAssertTrue(received.head.contains("\r\nX-Yizhan-Signature: sha256=abc\r\n"))
        XCTAssertTrue(received.body == payload)
    }

    func testSilentServerTimesOutWithinTheDeadline() throws {
        let server = try LoopbackServer([
            { connection in
                connection.readRequest()
                connection.waitForClose()
            }
        ])
        defer { server.stop() }
        let start = ContinuousClock.now
        let result = send(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/"), options: .init(timeout: 0.5))
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(errorMessage(result), "timed out after 0.5 s")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(450))
        XCTAssertLessThan(elapsed, .seconds(2))
    }

    func testConnectionRefused() throws {
        // Bound but not listening: the kernel refuses connections, and nobody else can take the port meanwhile.
        let (fd, port) = try LoopbackServer.bindLoopback(listen: false)
        defer { close(fd) }
        let result = send(HTTPClientRequest(url: "http://127.0.0.1:\(port)/"))
        XCTAssertEqual(errorMessage(result), "connect to 127.0.0.1:\(port) failed: Connection refused")
    }

    func testBodyOverTheLimit() throws {
        let body = String(repeating: "x", count: 1000)
        let server = try LoopbackServer([
            { connection in
                connection.readRequest()
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n\(body)")
            },
            { connection in
                connection.readRequest()
                connection.write("HTTP/1.1 200 OK\r\n\r\n\(body)")
            },
        ])
        defer { server.stop() }
        let options = HTTPClientOptions(timeout: 5, maxBodyBytes: 100)
        for _ in 0..<2 {
            let result = send(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/"), options: options)
            XCTAssertEqual(errorMessage(result), "response body exceeds 100 bytes")
        }
    }

    func testServerClosingMidBody() throws {
        let server = try LoopbackServer([
            { connection in
                connection.readRequest()
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
            }
        ])
        defer { server.stop() }
        let result = send(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/"))
        XCTAssertEqual(errorMessage(result), "connection closed before the response was complete")
    }

    func testInvalidRequestsFailBeforeConnecting() {
        let injected = HTTPClientRequest(url: "http://127.0.0.1:1/", headers: [("X-A", "1\r\nX-B: 2")])
        XCTAssertEqual(errorMessage(send(injected)), "invalid value for header X-A")
        let ftp = HTTPClientRequest(url: "ftp://127.0.0.1/feed")
        XCTAssertEqual(errorMessage(send(ftp)), "unsupported URL scheme \"ftp\" (only http and https)")
    }
}
