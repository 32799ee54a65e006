import TestSupport
import Testing
import WebSocket

@Suite struct FrameEncoderTests {
    // RFC 6455 §5.7 examples.

    @Test func singleFrameUnmaskedText() {
        #expect(FrameEncoder.encode(opcode: .text, payload: utf8("Hello")) == hex("81 05 48 65 6c 6c 6f"))
    }

    @Test func singleFrameMaskedText() {
        let frame = FrameEncoder.encode(opcode: .text, payload: utf8("Hello"), maskingKey: (0x37, 0xFA, 0x21, 0x3D))
        #expect(frame == hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"))
    }

    @Test func fragmentedUnmaskedText() {
        let first = FrameEncoder.encode(opcode: .text, payload: utf8("Hel"), fin: false)
        let second = FrameEncoder.encode(opcode: .continuation, payload: utf8("lo"))
        #expect(first + second == hex("01 03 48 65 6c 80 02 6c 6f"))
    }

    @Test func pingAndMaskedPong() {
        #expect(FrameEncoder.encode(opcode: .ping, payload: utf8("Hello")) == hex("89 05 48 65 6c 6c 6f"))
        let pong = FrameEncoder.encode(opcode: .pong, payload: utf8("Hello"), maskingKey: (0x37, 0xFA, 0x21, 0x3D))
        #expect(pong == hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"))
    }

    @Test func binaryOf256Bytes() {
        let frame = FrameEncoder.encode(opcode: .binary, payload: [UInt8](repeating: 7, count: 256))
        #expect(Array(frame[..<4]) == hex("82 7E 01 00") && frame.count == 260)
    }

    @Test func binaryOf64KiB() {
        let frame = FrameEncoder.encode(opcode: .binary, payload: [UInt8](repeating: 7, count: 65536))
        #expect(Array(frame[..<10]) == hex("82 7F 00 00 00 00 00 01 00 00") && frame.count == 65546)
    }

    @Test(arguments: [
        (0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10), (1 << 40, 10),
    ])
    func headerSizes(length: Int, expected: Int) {
        #expect(FrameEncoder.headerSize(payloadLength: length) == expected)
        #expect(FrameEncoder.headerSize(payloadLength: length, masked: true) == expected + 4)
    }

    @Test func encodeUsesExactCapacity() {
        let frame = FrameEncoder.encode(opcode: .binary, payload: [UInt8](repeating: 1, count: 1000))
        #expect(frame.capacity >= frame.count && frame.count == 1004)
    }

    @Test func rsv1AndNonContiguousPayload() {
        let frame = FrameEncoder.encode(opcode: .text, payload: (1...3).map { UInt8($0) }.lazy.map { $0 }, rsv1: true)
        #expect(frame == hex("C1 03 01 02 03"))
    }

    @Test(arguments: [0, 1, 7, 8, 9, 125, 126, 1000, 70000])
    func maskedRoundTrip(count: Int) throws {
        var generator = SplitMix64(seed: UInt64(count))
        let payload = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let frame = FrameEncoder.encode(opcode: .binary, payload: payload, maskingKey: (1, 2, 3, 4))
        var decoder = FrameDecoder(maxFrameSize: 1 << 20)
        decoder.feed(frame)
        #expect(try decoder.next()?.payload == payload)
    }

    // Close payloads.

    @Test func closePayloadCarriesCodeAndReason() {
        #expect(FrameEncoder.closePayload(code: .normal, reason: "bye") == hex("03 E8 62 79 65"))
        #expect(FrameEncoder.closeFrame(code: .goingAway) == hex("88 02 03 E9"))
    }

    @Test(arguments: [
        ("a", 122),  // 2 + 122 ASCII + 1-byte character fits in 125
        ("é", 122),  // a 2-byte character would end at byte 126: dropped
        ("€", 121),  // a 3-byte character would end at byte 126: dropped
        ("😀", 120),  // a 4-byte character would end at byte 126: dropped
    ])
    func closeReasonIsCutAtCharacterBoundary(suffix: String, prefixLength: Int) {
        let reason = String(repeating: "x", count: prefixLength) + suffix + String(repeating: "y", count: 50)
        let payload = FrameEncoder.closePayload(code: .normal, reason: reason)
        #expect(payload.count <= 125)
        #expect(UTF8Validator.isValid(payload[2...]))
        #expect(String(decoding: payload[2...], as: UTF8.self).hasPrefix(String(repeating: "x", count: prefixLength)))
    }

    @Test func closeReasonOfExactly123BytesIsKept() {
        let reason = String(repeating: "*", count: 123)
        #expect(FrameEncoder.closePayload(code: .normal, reason: reason).count == 125)
    }
}
