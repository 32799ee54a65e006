import Testing
import WebSocket

@Suite struct FrameDecoderTests {
    private func decodeAll(
        _ bytes: [UInt8],
        maxFrameSize: Int = 64 * 1024,
        masked: Bool = true
    ) throws(WebSocketError)
        -> [Frame]
    {
        var decoder = FrameDecoder(maxFrameSize: maxFrameSize, expectsMaskedFrames: masked)
        decoder.feed(bytes)
        var frames: [Frame] = []
        while let frame = try decoder.next() { frames.append(frame) }
        return frames
    }

    private func decodeError(_ bytes: [UInt8], maxFrameSize: Int = 64 * 1024) -> WebSocketError? {
        do {
            _ = try decodeAll(bytes, maxFrameSize: maxFrameSize)
            return nil
        } catch {
            return error
        }
    }

    // RFC 6455 §5.7 examples.

    @Test func singleFrameUnmaskedText() throws {
        let frames = try decodeAll(hex("81 05 48 65 6c 6c 6f"), masked: false)
        #expect(frames.count == 1)
        #expect(frames[0].opcode == .text && frames[0].fin)
        #expect(frames[0].payload == utf8("Hello"))
    }

    @Test func singleFrameMaskedText() throws {
        let frames = try decodeAll(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"))
        #expect(frames.map(\.payload) == [utf8("Hello")])
        #expect(frames[0].header.maskingKey == MaskingKey(0x37, 0xFA, 0x21, 0x3D))
    }

    @Test func fragmentedUnmaskedText() throws {
        let frames = try decodeAll(hex("01 03 48 65 6c 80 02 6c 6f"), masked: false)
        #expect(frames.map(\.opcode) == [.text, .continuation])
        #expect(frames.map(\.fin) == [false, true])
        #expect(frames.map(\.payload) == [utf8("Hel"), utf8("lo")])
    }

    @Test func unmaskedPingAndMaskedPong() throws {
        let ping = try decodeAll(hex("89 05 48 65 6c 6c 6f"), masked: false)
        #expect(ping.map(\.opcode) == [.ping] && ping[0].payload == utf8("Hello"))
        let pong = try decodeAll(hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"))
        #expect(pong.map(\.opcode) == [.pong] && pong[0].payload == utf8("Hello"))
    }

    @Test(arguments: [256, 65536])
    func binaryWithExtendedLength(count: Int) throws {
        let payload = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let header: [UInt8] = count == 256 ? hex("82 7E 01 00") : hex("82 7F 00 00 00 00 00 01 00 00")
        let frames = try decodeAll(header + payload, masked: false)
        #expect(frames.count == 1 && frames[0].payload == payload)
    }

    // Errors, each named for its rule.

    @Test func rejectsUnmaskedClientFrame() {
        #expect(decodeError(rawFrame(opcode: 1, payload: utf8("hi"), masked: false)) == .unmaskedFrame)
        #expect(WebSocketError.unmaskedFrame.closeCode == .protocolError)
    }

    @Test func clientDecoderRejectsMaskedServerFrame() {
        var decoder = FrameDecoder(expectsMaskedFrames: false)
        decoder.feed(rawFrame(opcode: 1, payload: utf8("hi")))
        #expect(throws: WebSocketError.maskedFrame) { try decoder.next() }
    }

    @Test(arguments: [3, 4, 5, 6, 7, 11, 12, 13, 14, 15] as [UInt8])
    func rejectsReservedOpcodes(opcode: UInt8) {
        // Detected from the first byte alone.
        var decoder = FrameDecoder()
        decoder.feed([0x80 | opcode])
        #expect(throws: WebSocketError.reservedOpcode(opcode)) { try decoder.nextPart() }
        #expect(WebSocketError.reservedOpcode(opcode).closeCode == .protocolError)
    }

    @Test(arguments: [8, 9, 10] as [UInt8])
    func rejectsFragmentedControlFrame(opcode: UInt8) {
        var decoder = FrameDecoder()
        decoder.feed([opcode])  // FIN clear, first byte only
        #expect(throws: WebSocketError.fragmentedControlFrame) { try decoder.nextPart() }
    }

    @Test(arguments: [126, 127])
    func rejectsControlFrameLongerThan125Bytes(lengthByte: UInt8) {
        var decoder = FrameDecoder()
        decoder.feed([0x89, 0x80 | lengthByte])
        #expect(throws: WebSocketError.controlFrameTooLong) { try decoder.nextPart() }
    }

    @Test func acceptsControlFrameOf125Bytes() throws {
        let frames = try decodeAll(rawFrame(opcode: 9, payload: Array(repeating: 0xAB, count: 125)))
        #expect(frames.first?.payload.count == 125)
    }

    @Test func rejectsMSBSetLength() {
        let header = hex("82 FF 80 00 00 00 00 00 00 00 01 02 03 04")
        #expect(decodeError(header) == .invalidPayloadLength)
        #expect(WebSocketError.invalidPayloadLength.closeCode == .protocolError)
    }

    @Test(arguments: [
        hex("82 FF 7F FF FF FF FF FF FF FF"),
        hex("82 FF 00 00 00 01 00 00 00 00"),
        hex("82 FF 00 00 00 00 FF FF FF FF"),
    ])
    func hugePayloadLengthDoesNotTrap(header: [UInt8]) {
        #expect(decodeError(header) == .frameTooBig)
        // Even with the largest possible limit the length converts without trapping.
        var decoder = FrameDecoder(maxFrameSize: .max)
        decoder.feed(header + [1, 2, 3, 4])
        #expect(throws: Never.self) { _ = try decoder.nextPart() }
    }

    @Test func frameOverLimitFailsAtHeader() {
        // 81 FE 40 01 alone: a 16385-byte masked text frame against a 16 KiB limit. No key, no payload needed.
        var decoder = FrameDecoder(maxFrameSize: 16 * 1024)
        decoder.feed(hex("81 FE 40 01"))
        #expect(throws: WebSocketError.frameTooBig) { try decoder.nextPart() }
        #expect(decoder.bufferedByteCount == 0)
        #expect(WebSocketError.frameTooBig.closeCode == .messageTooBig)
    }

    @Test func frameAtLimitIsAccepted() throws {
        let payload = [UInt8](repeating: 0x61, count: 16 * 1024)
        let frames = try decodeAll(rawFrame(opcode: 2, payload: payload), maxFrameSize: 16 * 1024)
        #expect(frames.first?.payload == payload)
    }

    @Test(arguments: [LengthEncoding.sixteenBit, .sixtyFourBit])
    func acceptsNonMinimalLengthEncodings(encoding: LengthEncoding) throws {
        let frames = try decodeAll(rawFrame(opcode: 1, payload: utf8("Hello"), lengthEncoding: encoding))
        #expect(frames.map(\.payload) == [utf8("Hello")])
    }

    @Test func errorsAreSticky() {
        var decoder = FrameDecoder()
        decoder.feed([0x83])
        #expect(throws: WebSocketError.reservedOpcode(3)) { try decoder.next() }
        decoder.feed(rawFrame(opcode: 1, payload: utf8("ok")))
        #expect(throws: WebSocketError.reservedOpcode(3)) { try decoder.next() }
    }

    // Streaming and memory.

    @Test func streamsPayloadBeforeFrameIsComplete() throws {
        let frame = rawFrame(opcode: 1, payload: utf8("Hello, world"))
        var decoder = FrameDecoder()
        decoder.feed(Array(frame[..<9]))  // 6 header bytes + "Hel"
        #expect(
            try decoder.nextPart()
                == .header(
                    FrameHeader(
                        fin: true,
                        opcode: .text,
                        payloadLength: 12,
                        maskingKey: MaskingKey(0x37, 0xFA, 0x21, 0x3D)
                    )
                )
        )
        #expect(try decoder.nextPart() == .payload(ArraySlice(utf8("Hel"))))
        #expect(try decoder.nextPart() == nil)
        decoder.feed(Array(frame[9...]))
        #expect(try decoder.nextPart() == .payload(ArraySlice(utf8("lo, world"))))
        #expect(try decoder.nextPart() == .end)
        #expect(try decoder.nextPart() == nil)
        #expect(decoder.isIdle)
    }

    @Test func emptyFrameYieldsHeaderThenEnd() throws {
        var decoder = FrameDecoder()
        decoder.feed(rawFrame(opcode: 9))
        guard case .header(let header)? = try decoder.nextPart() else {
            Issue.record("expected a header")
            return
        }
        #expect(header.opcode == .ping && header.payloadLength == 0)
        #expect(try decoder.nextPart() == .end)
    }

    @Test func releasesBufferOnceConsumed() throws {
        var decoder = FrameDecoder()
        let bytes = rawFrame(opcode: 2, payload: [UInt8](repeating: 1, count: 1000)) + rawFrame(opcode: 2)
        decoder.feed(bytes)
        _ = try decoder.next()
        _ = try decoder.next()
        #expect(decoder.bufferedByteCount == 0 && decoder.isIdle)
        // A partial header is all that is kept between reads.
        decoder.feed(hex("82 FE 01"))
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 3 && !decoder.isIdle)
    }

    @Test func decodesEveryByteSplit() throws {
        let stream =
            rawFrame(opcode: 1, payload: utf8("Hel"), fin: false) + rawFrame(opcode: 9, payload: utf8("p"))
            + rawFrame(opcode: 0, payload: [UInt8](repeating: 0x6C, count: 300)) + rawFrame(opcode: 8)
        let expected = try decodeAll(stream)
        #expect(expected.count == 4)
        for split in 0...stream.count {
            var decoder = FrameDecoder()
            var frames: [Frame] = []
            decoder.feed(Array(stream[..<split]))
            while let frame = try decoder.next() { frames.append(frame) }
            decoder.feed(Array(stream[split...]))
            while let frame = try decoder.next() { frames.append(frame) }
            #expect(frames == expected, "split at \(split)")
        }
    }
}
