import HTTP
import Testing

@Suite struct UpgradeTests {
    static let handshake = Array(
        ("GET /v1/socket HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8
    )
    /// A masked text frame "Hello" followed by bytes that would look like HTTP to a careless parser.
    static let frames: [UInt8] =
        [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58] + Array("GET / HTTP/1.1\r\n\r\n".utf8)

    @Test func takeBufferedBytesRightAfterTheHead() throws {
        var parser = RequestParser()
        parser.feed(Self.handshake + Self.frames)
        guard case .head(let head)? = try parser.next() else {
            Issue.record("expected a head")
            return
        }
        #expect(head.isUpgrade)
        #expect(head.upgradeProtocol == "websocket")
        #expect(head.headers["sec-websocket-key"] == "dGhlIHNhbXBsZSBub25jZQ==")
        #expect(parser.hasBufferedBytes)
        #expect(parser.takeBufferedBytes() == Self.frames)
        #expect(!parser.hasBufferedBytes)
    }

    @Test func parserStopsAfterTheUpgradeEnds() throws {
        var parser = RequestParser()
        parser.feed(Self.handshake + Self.frames)
        guard case .head? = try parser.next() else {
            Issue.record("expected a head")
            return
        }
        #expect(try parser.next() == .end)
        #expect(try parser.next() == nil)
        #expect(parser.isUpgraded)
        parser.feed([0x88, 0x80])
        #expect(try parser.next() == nil)
        #expect(parser.takeBufferedBytes() == Self.frames + [0x88, 0x80])
    }

    @Test func upgradeSplitAtEveryPosition() throws {
        let stream = Self.handshake + Self.frames
        for offset in 0...stream.count {
            var parser = RequestParser()
            var events: [RequestEvent] = []
            for chunk in split(stream, at: [offset]) {
                parser.feed(chunk)
                while let event = try parser.next() { events.append(event) }
            }
            #expect(events.count == 2)
            #expect(parser.takeBufferedBytes() == Self.frames)
        }
    }

    @Test func takeBufferedBytesWhenNothingIsLeft() throws {
        var parser = RequestParser()
        parser.feed(Self.handshake)
        #expect(try parser.next() != nil)
        #expect(parser.takeBufferedBytes() == [])
    }
}
