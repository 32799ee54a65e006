import TestSupport
import Testing
import WebSocket

/// The same byte stream, cut into reads at every possible place, must produce the same events (TCP is a stream;
/// Autobahn 1.1.8, 2.6, 5.5 and 5.20 chop frames into single bytes).
@Suite struct SplitTests {
    static let compressedText = Array(String(repeating: "compressed κόσμε ", count: 40).utf8)

    static let stream: [UInt8] = {
        let compressed = Deflater().compress(compressedText)
        let half = compressed.count / 2
        return clientFrame(.text, utf8("Hello, "), fin: false)
            + clientFrame(.ping, utf8("are you there?"))
            + clientFrame(.continuation, hex("c3"), fin: false)  // a character split across fragments
            + clientFrame(.continuation, hex("a9 20 77 6f 72 6c 64"))
            + clientFrame(.binary, (0..<300).map { UInt8(truncatingIfNeeded: $0) })
            + clientFrame(.text, Array(compressed[..<half]), fin: false, rsv1: true)
            + clientFrame(.pong, utf8("late"))
            + clientFrame(.continuation, Array(compressed[half...]))
            + clientClose(1000, utf8("bye"))
            + clientFrame(.text, utf8("ignored"))
    }()

    static let expected: [WebSocketEvent] = [
        .write(FrameEncoder.encode(opcode: .pong, payload: utf8("are you there?"))),
        .ping(utf8("are you there?")),
        .text(utf8("Hello, é world")),
        .binary((0..<300).map { UInt8(truncatingIfNeeded: $0) }),
        .pong(utf8("late")),
        .text(compressedText),
        .write(hex("88 02 03 E8")),
        .closed(code: .normal, reason: "bye"),
    ]

    private func run(_ chunks: [ArraySlice<UInt8>]) -> [WebSocketEvent] {
        var connection = WebSocketConnection(deflate: NegotiatedDeflate())
        var events: [WebSocketEvent] = []
        for chunk in chunks {
            Array(chunk).withUnsafeBytes { connection.receive($0) }
            events += connection.drain()
        }
        return events
    }

    @Test func wholeStream() {
        #expect(run([Self.stream[...]]) == Self.expected)
    }

    @Test func splitAtEveryBytePosition() {
        let stream = Self.stream
        for split in 0...stream.count {
            let events = run([stream[..<split], stream[split...]])
            if events != Self.expected { Issue.record("split at \(split): \(events)") }
        }
    }

    @Test func oneByteAtATime() {
        #expect(run(Self.stream.indices.map { Self.stream[$0...$0] }) == Self.expected)
    }

    @Test(arguments: 0..<50 as Range<UInt64>)
    func seededRandomSplits(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        var chunks: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset < Self.stream.count {
            let size = Int.random(in: 0...min(64, Self.stream.count - offset), using: &generator)
            chunks.append(Self.stream[offset..<(offset + size)])
            offset += size
        }
        #expect(run(chunks) == Self.expected)
    }
}
