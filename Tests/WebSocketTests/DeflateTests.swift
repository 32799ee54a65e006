import TestSupport
import Testing
import WebSocket

@Suite struct DeflateTests {
    private func inflate(
        _ messages: [[UInt8]],
        windowBits: Int = 15,
        limit: Int = 1 << 20
    ) throws(WebSocketError)
        -> [[UInt8]]
    {
        let inflater = try Inflater(windowBits: windowBits)
        var results: [[UInt8]] = []
        for message in messages {
            var output: [UInt8] = []
            try inflater.inflate(message, into: &output, limit: limit)
            try inflater.finishMessage(into: &output, limit: limit)
            results.append(output)
        }
        return results
    }

    // RFC 7692 §7.2.3 examples.

    @Test func helloCompressed() throws {
        #expect(Deflater().compress(utf8("Hello")) == hex("f2 48 cd c9 c9 07 00"))
        #expect(try inflate([hex("f2 48 cd c9 c9 07 00")]) == [utf8("Hello")])
    }

    @Test func sharingTheWindowAcrossMessages() throws {
        // §7.2.3.2: with context takeover the second "Hello" refers back into the first.
        #expect(try inflate([hex("f2 48 cd c9 c9 07 00"), hex("f2 00 11 00 00")]) == [utf8("Hello"), utf8("Hello")])
    }

    @Test func blockWithNoCompression() throws {
        // §7.2.3.3.
        #expect(try inflate([hex("00 05 00 fa ff 48 65 6c 6c 6f 00")]) == [utf8("Hello")])
    }

    @Test func blockWithBFINALSet() throws {
        // §7.2.3.4: the stream ends inside the message; the appended tail starts a new one.
        #expect(try inflate([hex("f3 48 cd c9 c9 07 00 00")]) == [utf8("Hello")])
    }

    @Test func twoBlocksInOneMessage() throws {
        // §7.2.3.5.
        #expect(try inflate([hex("f2 48 05 00 00 00 ff ff ca c9 c9 07 00")]) == [utf8("Hello")])
    }

    @Test func emptyMessage() throws {
        #expect(Deflater().compress([UInt8]()) == [0x00])
        #expect(try inflate([[0x00]]) == [[]])
    }

    // Round trips.

    @Test(arguments: [9, 12, 15])
    func roundTripThroughSharedDeflater(windowBits: Int) throws {
        let deflater = Deflater(windowBits: windowBits)
        var generator = SplitMix64(seed: UInt64(windowBits))
        var messages: [[UInt8]] = []
        for index in 0..<50 {
            let length = Int.random(in: 0...5000, using: &generator)
            let text = (0..<length).map { _ in UInt8.random(in: 0x61...0x66, using: &generator) }
            messages.append(index % 2 == 0 ? text : (0..<length).map { UInt8(truncatingIfNeeded: $0 / 3) })
        }
        // No context takeover on the server side: each message inflates on a fresh inflater too.
        for message in messages {
            let compressed = deflater.compress(message)
            #expect(try inflate([compressed], windowBits: windowBits) == [message])
        }
    }

    @Test func deflaterOutputDoesNotDependOnHistory() {
        let deflater = Deflater()
        let first = deflater.compress(utf8("the same message, the same message"))
        _ = deflater.compress([UInt8](repeating: 0x41, count: 10000))
        #expect(deflater.compress(utf8("the same message, the same message")) == first)
    }

    @Test func inflaterWithEightBitWindowReadsZlibNineBitOutput() throws {
        // zlib's 9-bit deflate never emits distances beyond 250, so an 8-bit inflater accepts its output.
        let message = (0..<4000).map { UInt8(truncatingIfNeeded: ($0 * $0) % 251) }
        let compressed = Deflater(windowBits: 9).compress(message)
        #expect(try inflate([compressed], windowBits: 8) == [message])
    }

    @Test func largeIncompressiblePayloadRoundTrips() throws {
        var generator = SplitMix64(seed: 99)
        let message = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let compressed = Deflater().compress(message)
        #expect(try inflate([compressed]) == [message])
    }

    // Limits on output.

    @Test func compressionBombFailsWithoutExpanding() throws {
        // 16 MiB of zeros compresses to about 16 KiB.
        let bomb = Deflater().compress([UInt8](repeating: 0, count: 16 << 20))
        #expect(bomb.count < 20_000)
        let inflater = try Inflater()
        var output: [UInt8] = []
        #expect(throws: WebSocketError.messageTooBig) {
            try inflater.inflate(bomb, into: &output, limit: 64 * 1024)
        }
        #expect(output.count <= 64 * 1024 + 1)
        #expect(output.capacity < 1 << 20)
    }

    @Test(arguments: [(0, true), (1, false), (2, false), (-1, true)])
    func outputLimitBoundaries(excess: Int, accepted: Bool) throws {
        // A message of limit + excess bytes against the limit: exactly the limit passes, one more fails.
        let limit = 10_000
        let message = [UInt8](repeating: 0x61, count: limit + excess)
        let compressed = Deflater().compress(message)
        let inflater = try Inflater()
        var output: [UInt8] = []
        do {
            try inflater.inflate(compressed, into: &output, limit: limit)
            try inflater.finishMessage(into: &output, limit: limit)
            #expect(accepted)
            #expect(output == message)
        } catch {
            #expect(!accepted)
            #expect(error == .messageTooBig)
            #expect(output.count == limit + 1)
        }
    }

    @Test func corruptDataIsInvalidPayload() throws {
        let inflater = try Inflater()
        var output: [UInt8] = []
        #expect(throws: WebSocketError.invalidCompressedData) {
            try inflater.inflate(hex("ff ff ff ff"), into: &output, limit: 1000)
        }
        #expect(WebSocketError.invalidCompressedData.closeCode == .invalidPayload)
    }

    @Test func resetForgetsHistory() throws {
        let inflater = try Inflater()
        var output: [UInt8] = []
        try inflater.inflate(hex("f2 48 cd c9 c9 07 00"), into: &output, limit: 100)
        try inflater.finishMessage(into: &output, limit: 100)
        inflater.reset()
        output = []
        // The second message of §7.2.3.2 refers to history that is gone.
        #expect(throws: WebSocketError.invalidCompressedData) {
            try inflater.inflate(hex("f2 00 11 00 00"), into: &output, limit: 100)
            try inflater.finishMessage(into: &output, limit: 100)
        }
    }
}
