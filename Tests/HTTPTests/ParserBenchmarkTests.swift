import Glibc
import HTTP
import Testing

/// Opt-in timing of the parser on a typical request; it asserts nothing about speed. Run it in release:
///
///     HTTP_BENCH=1 swift test -c release --filter ParserBenchmarkTests
@Suite(.enabled(if: getenv("HTTP_BENCH") != nil, "set HTTP_BENCH=1 to run"))
struct ParserBenchmarkTests {
    /// A 300-byte GET with 8 headers, like the ones browsers send to the API.
    static let request = Array(
        ("GET /v1/groups/8f3a2c/messages?limit=50 HTTP/1.1\r\n"
            + "Host: chat.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
            + "Accept: application/json\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc\r\n"
            + "Connection: keep-alive\r\n"
            + "Cache-Control: no-cache\r\n\r\n").utf8
    )

    @Test func typicalGet() throws {
        #expect((280...320).contains(Self.request.count))
        let iterations = 500_000
        var checksum = 0
        var parser = RequestParser()
        let clock = ContinuousClock()
        for round in 0..<3 {
            let elapsed = try clock.measure {
                for _ in 0..<iterations {
                    parser.feed(Self.request)
                    guard case .head(let head)? = try parser.next(), try parser.next() == .end else {
                        Issue.record("parse failed")
                        return
                    }
                    checksum &+= head.headers.count
                }
            }
            let nanoseconds = Double(elapsed.components.attoseconds) / 1e9 + Double(elapsed.components.seconds) * 1e9
            print("round \(round): \(Self.request.count)-byte GET: \(nanoseconds / Double(iterations)) ns/request")
        }
        #expect(checksum == 3 * iterations * 8)
    }
}
