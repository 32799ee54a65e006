import TestSupport
import Testing
import WebSocket

@Suite struct ConnectionDeflateTests {
    /// A compressed client message, optionally split into fragments of `fragmentSize` compressed bytes.
    private func compressedMessage(_ opcode: Opcode, _ payload: [UInt8], fragmentSize: Int? = nil) -> [UInt8] {
        let compressed = Deflater().compress(payload)
        guard let fragmentSize, compressed.count > fragmentSize else {
            return clientFrame(opcode, compressed, rsv1: true)
        }
        var bytes: [UInt8] = []
        var offset = 0
        while offset < compressed.count {
            let end = min(offset + fragmentSize, compressed.count)
            bytes += clientFrame(
                offset == 0 ? opcode : .continuation,
                Array(compressed[offset..<end]),
                fin: end == compressed.count,
                rsv1: offset == 0
            )
            offset = end
        }
        return bytes
    }

    @Test func rfc7692HelloExamples() {
        // §7.2.3.1, sent by a client: masked, RSV1 on the only frame, and fragmented.
        var connection = WebSocketConnection(deflate: NegotiatedDeflate())
        let single = clientFrame(.text, hex("f2 48 cd c9 c9 07 00"), rsv1: true)
        #expect(connection.events(after: single) == [.text(utf8("Hello"))])
        let fragmented =
            clientFrame(.text, hex("f2 48 cd"), fin: false, rsv1: true)
            + clientFrame(.continuation, hex("c9 c9 07 00"))
        #expect(connection.events(after: fragmented) == [.text(utf8("Hello"))])
        // §7.2.3.3: a stored block.
        let stored = clientFrame(.text, hex("00 05 00 fa ff 48 65 6c 6c 6f 00"), rsv1: true)
        #expect(connection.events(after: stored) == [.text(utf8("Hello"))])
    }

    @Test func contextTakeoverAcrossMessages() {
        // §7.2.3.2: the second message only works if the window is kept.
        var keeping = WebSocketConnection(deflate: NegotiatedDeflate(clientNoContextTakeover: false))
        let messages =
            clientFrame(.text, hex("f2 48 cd c9 c9 07 00"), rsv1: true)
            + clientFrame(.text, hex("f2 00 11 00 00"), rsv1: true)
        #expect(keeping.events(after: messages) == [.text(utf8("Hello")), .text(utf8("Hello"))])
        #expect(keeping.holdsCompressionState)
        // Without context takeover the inflater is freed after each message, so the back-reference fails.
        var resetting = WebSocketConnection(deflate: NegotiatedDeflate(clientNoContextTakeover: true))
        #expect(resetting.events(after: Array(messages[..<13])) == [.text(utf8("Hello"))])
        #expect(!resetting.holdsCompressionState && resetting.isIdle)
        #expect(resetting.events(after: Array(messages[13...])) == failure(.invalidCompressedData))
    }

    @Test func roundTripThroughDeflaterAndFragments() {
        let text = Array(String(repeating: "{\"room\":\"general\",\"text\":\"héllo wörld\"}", count: 300).utf8)
        for fragmentSize in [nil, 1, 7, 256] as [Int?] {
            var connection = WebSocketConnection(deflate: NegotiatedDeflate())
            let bytes =
                compressedMessage(.text, text, fragmentSize: fragmentSize) + compressedMessage(.binary, [1, 2, 3])
            #expect(connection.events(after: bytes) == [.text(text), .binary([1, 2, 3])])
        }
    }

    @Test func uncompressedMessagesStillWork() {
        var connection = WebSocketConnection(deflate: NegotiatedDeflate())
        #expect(connection.events(after: clientFrame(.text, utf8("plain"))) == [.text(utf8("plain"))])
        #expect(!connection.holdsCompressionState)
    }

    @Test func compressionBombFailsWith1009() {
        let bomb = compressedMessage(.binary, [UInt8](repeating: 0, count: 16 << 20), fragmentSize: 4096)
        var connection = WebSocketConnection(deflate: NegotiatedDeflate())
        #expect(connection.events(after: bomb) == failure(.messageTooBig))
        #expect(!connection.holdsCompressionState)
    }

    @Test(arguments: [(0, true), (1, false), (2, false)])
    func decompressedSizeBoundaries(excess: Int, accepted: Bool) {
        // The limit applies to decompressed bytes: limit passes, limit + 1 and limit + 2 fail (python-websockets #1715).
        let limit = 4096
        let configuration = WebSocketConfiguration(maxMessageSize: limit)
        let payload = [UInt8](repeating: 0x61, count: limit + excess)
        for fragmentSize in [nil, 3] as [Int?] {
            var connection = WebSocketConnection(configuration: configuration, deflate: NegotiatedDeflate())
            let events = connection.events(after: compressedMessage(.text, payload, fragmentSize: fragmentSize))
            #expect(events == (accepted ? [.text(payload)] : failure(.messageTooBig)))
        }
    }

    @Test func invalidUTF8InsideCompressedTextFailsWith1007() {
        var connection = WebSocketConnection(deflate: NegotiatedDeflate())
        let bytes = compressedMessage(.text, utf8("valid start ") + hex("ed a0 80") + utf8(" more"))
        #expect(connection.events(after: bytes) == failure(.invalidUTF8))
    }

    @Test func corruptCompressedDataFailsWith1007() {
        var connection = WebSocketConnection(deflate: NegotiatedDeflate())
        #expect(
            connection.events(after: clientFrame(.binary, hex("ff ff ff ff"), rsv1: true))
                == failure(.invalidCompressedData)
        )
    }

    @Test func eightBitClientWindowInflates() {
        let payload = (0..<3000).map { UInt8(truncatingIfNeeded: $0 % 200) }
        var connection = WebSocketConnection(deflate: NegotiatedDeflate(clientMaxWindowBits: 8))
        let bytes = clientFrame(.binary, Deflater(windowBits: 9).compress(payload), rsv1: true)
        #expect(connection.events(after: bytes) == [.binary(payload)])
    }

    // Sending.

    @Test func encodeMessageCompressesAboveThresholdOnly() throws {
        let connection = WebSocketConnection(
            configuration: WebSocketConfiguration(compressionThreshold: 100),
            deflate: NegotiatedDeflate()
        )
        let deflater = Deflater()
        let small = connection.encodeMessage(
            opcode: .text,
            payload: [UInt8](repeating: 0x61, count: 99),
            deflater: deflater
        )
        #expect(small[0] == 0x81)
        let large = connection.encodeMessage(
            opcode: .text,
            payload: [UInt8](repeating: 0x61, count: 1000),
            deflater: deflater
        )
        #expect(large[0] == 0xC1 && large.count < 100)
        // A client decodes and inflates it back.
        var decoder = FrameDecoder(expectsMaskedFrames: false)
        decoder.feed(large)
        let frame = try #require(try decoder.next())
        var output: [UInt8] = []
        let inflater = try Inflater()
        try inflater.inflate(frame.payload, into: &output, limit: 1 << 20)
        try inflater.finishMessage(into: &output, limit: 1 << 20)
        #expect(output == [UInt8](repeating: 0x61, count: 1000))
    }

    @Test func encodeMessageSendsUncompressedWhenItCannotOrNeedNot() {
        let payload = [UInt8](repeating: 0x61, count: 1000)
        // No deflate negotiated.
        #expect(WebSocketConnection().encodeMessage(opcode: .binary, payload: payload, deflater: Deflater())[0] == 0x82)
        // No deflater given.
        #expect(
            WebSocketConnection(deflate: NegotiatedDeflate()).encodeMessage(
                opcode: .binary,
                payload: payload,
                deflater: nil
            )[0] == 0x82
        )
        // The deflater's window exceeds what the client allowed.
        let narrow = WebSocketConnection(deflate: NegotiatedDeflate(serverMaxWindowBits: 10))
        #expect(narrow.encodeMessage(opcode: .binary, payload: payload, deflater: Deflater())[0] == 0x82)
        #expect(narrow.encodeMessage(opcode: .binary, payload: payload, deflater: Deflater(windowBits: 10))[0] == 0xC2)
        // Incompressible data is not worth it.
        var generator = SplitMix64(seed: 7)
        let noise = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(
            WebSocketConnection(deflate: NegotiatedDeflate()).encodeMessage(
                opcode: .binary,
                payload: noise,
                deflater: Deflater()
            )[0] == 0x82
        )
    }

    @Test func preparedMessageIsSharedAcrossConnections() {
        let payload = Array(String(repeating: "broadcast ", count: 100).utf8)
        let prepared = PreparedMessage(opcode: .text, payload: payload, deflater: Deflater())
        let compressing = WebSocketConnection(deflate: NegotiatedDeflate())
        let plain = WebSocketConnection()
        let narrow = WebSocketConnection(deflate: NegotiatedDeflate(serverMaxWindowBits: 9))
        #expect(
            prepared.usesCompressedFrame(for: compressing)
                && prepared.frame(for: compressing) == prepared.compressedFrame
        )
        #expect(prepared.frame(for: plain) == FrameEncoder.encode(opcode: .text, payload: payload))
        #expect(!prepared.usesCompressedFrame(for: narrow))
        let tiny = PreparedMessage(opcode: .text, payload: utf8("hi"), deflater: Deflater())
        #expect(
            tiny.compressedFrame == nil
                && tiny.frame(for: compressing) == FrameEncoder.encode(opcode: .text, payload: utf8("hi"))
        )
    }

    @Test func pingFrame() {
        #expect(WebSocketConnection().ping(utf8("k")) == hex("89 01 6b"))
    }
}
