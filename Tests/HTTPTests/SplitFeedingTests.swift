import HTTP
import TestSupport
import Testing

@Suite struct SplitFeedingTests {
    /// Three pipelined requests: a Content-Length body, a chunked body with extensions and trailers, a plain GET.
    static let stream = Array(
        ("POST /v1/messages HTTP/1.1\r\nHost: chat.example\r\nContent-Type: application/json\r\n"
            + "Content-Length: 17\r\n\r\n{\"text\":\"hello\"}\n"
            + "PUT /v1/files/a%20b HTTP/1.1\r\nHost: chat.example\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;ext=1\r\nWiki\r\n5 ; a = \"q\\\"t\" ; b\r\npedia\r\ne\r\n in\r\n\r\nchunks.\r\n"
            + "0;last\r\nExpires: never\r\nX-Checksum: abc\r\n\r\n"
            + "GET /v1/ping?x=1 HTTP/1.1\r\nHost: chat.example\r\nConnection: close\r\n\r\n").utf8
    )

    static let expected = [
        "head POST /v1/messages 1.1 keep-alive cl=17", "body {\"text\":\"hello\"}\n", "end",
        "head PUT /v1/files/a%20b 1.1 keep-alive chunked", "body Wikipedia in\r\n\r\nchunks.", "end",
        "head GET /v1/ping?x=1 1.1", "end",
    ]

    @Test func wholeStream() {
        let outcome = parse([Self.stream])
        #expect(outcome.error == nil)
        #expect(outcome.summary == Self.expected)
    }

    @Test func splitAtEveryPosition() {
        let reference = parse([Self.stream])
        for offset in 0...Self.stream.count {
            let outcome = parse(split(Self.stream, at: [offset]))
            #expect(outcome == reference, "split at \(offset)")
        }
    }

    @Test func splitAtEveryPairOfPositionsNearBoundaries() {
        // Every pair of split points in the first 120 bytes (request line, headers, the first body).
        let reference = parse([Self.stream])
        for first in 0...120 {
            for second in first...120 {
                let outcome = parse(split(Self.stream, at: [first, second]))
                #expect(outcome == reference, "split at \(first), \(second)")
            }
        }
    }

    @Test(arguments: [1, 2, 3, 42, 1234, 99_999])
    func randomMultiSplits(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let reference = parse([Self.stream])
        for _ in 0..<100 {
            let count = Int.random(in: 1...20, using: &random)
            let offsets = (0..<count).map { _ in Int.random(in: 0...Self.stream.count, using: &random) }
            let outcome = parse(split(Self.stream, at: offsets))
            #expect(outcome == reference, "seed \(seed), splits \(offsets.sorted())")
        }
    }

    @Test func byteAtATime() {
        let outcome = parse(Self.stream.map { [$0] })
        #expect(outcome.error == nil)
        #expect(outcome.summary == Self.expected)
    }

    @Test func bodyEventsNeverExceedWhatWasFed() throws {
        var parser = RequestParser()
        var bodyBytes = 0
        for byte in Self.stream {
            parser.feed([byte])
            while let event = try parser.next() {
                if case .body(let bytes) = event {
                    #expect(bytes.count == 1)
                    bodyBytes += bytes.count
                }
            }
        }
        #expect(bodyBytes == 17 + 23)
        #expect(!parser.hasBufferedBytes)
    }
}
