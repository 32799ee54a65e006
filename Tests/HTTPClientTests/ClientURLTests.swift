import TestSupport
import XCTest

@testable import HTTPClient

final class ClientURLTests: XCTestCase {
    func testParsesHostPortAndTarget() throws {
        let url = try ClientURL(parsing: "HTTPS://Feeds.Example.EDU:8443/news/rss.xml?lang=zh#top")
        XCTAssertEqual(url.scheme, "https")
        XCTAssertEqual(url.host, "feeds.example.edu")
        XCTAssertEqual(url.port, 8443)
        XCTAssertEqual(url.target, "/news/rss.xml?lang=zh")
        XCTAssertEqual(url.authority, "feeds.example.edu:8443")

        let plain = try ClientURL(parsing: "http://example.com")
        XCTAssertEqual(plain.port, 80)
        XCTAssertEqual(plain.target, "/")
        XCTAssertEqual(plain.authority, "example.com")
        XCTAssertEqual(try ClientURL(parsing: "http://example.com?x=1").target, "/?x=1")
        XCTAssertEqual(try ClientURL(parsing: "https://example.com:443/").authority, "example.com")
    }

    func testParsesBracketedIPv6() throws {
        let url = try ClientURL(parsing: "http://[::1]:8080/a")
        XCTAssertEqual(url.host, "::1")
        XCTAssertEqual(url.port, 8080)
        XCTAssertEqual(url.authority, "[::1]:8080")
        XCTAssertEqual(try ClientURL(parsing: "https://[2001:db8::1]/").endpoint, "[2001:db8::1]:443")
    }

    func testRejectsUnusableURLs() {
        let cases = [
            ("ftp://example.com/", "unsupported URL scheme \"ftp\" (only http and https)"),
            ("example.com/feed", "invalid URL \"example.com/feed\""),
            ("http://user:pw@example.com/", "credentials in URLs are not supported"),
            ("http:///path", "missing or invalid host in \"http:///path\""),
            ("http://example.com:99999/", "invalid port in \"http://example.com:99999/\""),
            ("http://example.com:-1/", "invalid port in \"http://example.com:-1/\""),
            ("http://[::1/", "invalid IPv6 host in \"http://[::1/\""),
            ("http://example.com/a b", "invalid URL \"http://example.com/a b\": spaces or control characters"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try ClientURL(parsing: text), text) { error in
                XCTAssertEqual((error as? HTTPClientError)?.description, message)
            }
        }
    }

    func testResolvesRedirectLocations() throws {
        let base = try ClientURL(parsing: "http://example.com:8080/news/feed.xml?page=2")
        let cases = [
            ("https://other.example/x", "https://other.example/x"),
            ("//cdn.example/feed", "http://cdn.example/feed"),
            ("/root?q=1", "http://example.com:8080/root?q=1"),
            ("atom.xml", "http://example.com:8080/news/atom.xml"),
            ("../up/./x#frag", "http://example.com:8080/up/x"),
            ("?page=3", "http://example.com:8080/news/feed.xml?page=3"),
            ("sub/", "http://example.com:8080/news/sub/"),
        ]
        for (location, expected) in cases {
            XCTAssertEqual(try base.resolving(location).absoluteString, expected, location)
        }
    }

    func testSerializesTheRequestHead() throws {
        let url = try ClientURL(parsing: "http://example.com:8080/hook")
        let post = HTTPClientRequest(method: "POST", url: url.absoluteString, headers: [("X-Signature", "abc")])
        XCTAssertEqual(
            String(decoding: try post.serializedHead(for: url), as: UTF8.self),
            "POST /hook HTTP/1.1\r\nHost: example.com:8080\r\nX-Signature: abc\r\nUser-Agent: yizhan\r\n"
                + "Accept-Encoding: identity\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        let custom = HTTPClientRequest(url: url.absoluteString, headers: [("user-agent", "feedbot")])
        let head = String(decoding: try custom.serializedHead(for: url), as: UTF8.self)
        XCTAssertTrue(head.contains("user-agent: feedbot\r\n"))
        XCTAssertFalse(head.contains("yizhan"))
        XCTAssertFalse(head.contains("Content-Length"))
    }

    func testRejectsHeadersThatCouldSplitTheRequest() throws {
        let url = try ClientURL(parsing: "http://example.com/")
        let cases = [
            (("X-A", "1\r\nX-Injected: 1"), "invalid value for header X-A"),
            (("X-A\r\nB", "1"), "invalid header name \"X-A\r\nB\""),
            (("Content-Length", "5"), "header Content-Length is set by the client"),
            (("host", "evil"), "header host is set by the client"),
        ]
        for (header, message) in cases {
            let request = HTTPClientRequest(url: "http://example.com/", headers: [header])
            XCTAssertThrowsError(try request.serializedHead(for: url)) { error in
                XCTAssertEqual((error as? HTTPClientError)?.description, message)
            }
        }
        XCTAssertThrowsError(try HTTPClientRequest(method: "GET /x", url: "").serializedHead(for: url))
    }
}
