import Testing
import WebSocket

@Suite struct WebSocketConnectionTests {
    private func run(
        _ bytes: [UInt8],
        configuration: WebSocketConfiguration = WebSocketConfiguration(),
        deflate: NegotiatedDeflate? = nil
    ) -> [WebSocketEvent] {
        var connection = WebSocketConnection(configuration: configuration, deflate: deflate)
        return connection.events(after: bytes)
    }

    // Messages.

    @Test func deliversTextAndBinaryMessages() {
        let events = run(clientFrame(.text, utf8("Hello")) + clientFrame(.binary, [0, 0xFF]) + clientFrame(.text))
        #expect(events == [.text(utf8("Hello")), .binary([0, 0xFF]), .text([])])
    }

    @Test func reassemblesFragmentsWithInterleavedPing() {
        // Autobahn 5.6: the pong goes out at once, before the message completes.
        let events = run(
            clientFrame(.text, utf8("fragment1"), fin: false) + clientFrame(.ping, utf8("ping payload"))
                + clientFrame(.continuation, utf8("fragment2"))
        )
        #expect(
            events == [
                .write(FrameEncoder.encode(opcode: .pong, payload: utf8("ping payload"))),
                .ping(utf8("ping payload")),
                .text(utf8("fragment1fragment2")),
            ]
        )
    }

    @Test func pingIsAnsweredAndPongReported() {
        #expect(run(clientFrame(.ping)) == [.write(hex("8A 00")), .ping([])])
        #expect(run(clientFrame(.pong, utf8("unsolicited"))) == [.pong(utf8("unsolicited"))])
    }

    @Test func deliversMaximumSizeMessageAcrossManyFragments() {
        let configuration = WebSocketConfiguration(
            maxFrameSize: 1 << 20,
            maxMessageSize: 4 << 20,
            maxFragmentsPerMessage: 1 << 17
        )
        var bytes: [UInt8] = []
        let count = (4 << 20) / 64
        for index in 0..<count {
            let opcode: Opcode = index == 0 ? .text : .continuation
            bytes += clientFrame(opcode, [UInt8](repeating: 0x2A, count: 64), fin: index == count - 1)
        }
        #expect(run(bytes, configuration: configuration) == [.text([UInt8](repeating: 0x2A, count: 4 << 20))])
    }

    @Test func holdsNothingBetweenMessages() {
        var connection = WebSocketConnection(deflate: NegotiatedDeflate(clientNoContextTakeover: true))
        #expect(connection.isIdle && !connection.holdsCompressionState)
        let frame = clientFrame(.text, utf8("Hello"), fin: false)
        connection.receive(Array(frame.prefix(3)))
        #expect(!connection.isIdle)  // a partial header
        connection.receive(Array(frame.dropFirst(3)))
        #expect(!connection.isIdle)  // a partial message
        connection.receive(
            clientFrame(.continuation, utf8("!")) + clientFrame(.binary, Deflater().compress(utf8("x")), rsv1: true)
        )
        #expect(!connection.isIdle)  // undrained events
        #expect(connection.drain() == [.text(utf8("Hello!")), .binary(utf8("x"))])
        #expect(connection.isIdle && !connection.holdsCompressionState)
    }

    // Protocol errors, each named for its rule.

    @Test func rejectsRSV1WithoutDeflate() {
        #expect(run(rawFrame(opcode: 1, payload: utf8("Hello, world!"), rsv: 4)) == failure(.reservedBitsSet))
    }

    @Test(arguments: [2, 3, 5, 6, 7] as [UInt8])
    func rejectsRSV2AndRSV3Always(rsv: UInt8) {
        let events = run(rawFrame(opcode: 1, payload: utf8("x"), rsv: rsv), deflate: NegotiatedDeflate())
        #expect(events == failure(.reservedBitsSet))
    }

    @Test func rejectsRSV1OnContinuation() {
        let bytes = clientFrame(.text, utf8("a"), fin: false) + rawFrame(opcode: 0, payload: utf8("b"), rsv: 4)
        #expect(run(bytes, deflate: NegotiatedDeflate()) == failure(.reservedBitsSet))
    }

    @Test(arguments: [8, 9, 10] as [UInt8])
    func rejectsRSV1OnControlFrame(opcode: UInt8) {
        #expect(run(rawFrame(opcode: opcode, rsv: 4), deflate: NegotiatedDeflate()) == failure(.reservedBitsSet))
    }

    @Test func rejectsUnmaskedClientFrame() {
        #expect(run(rawFrame(opcode: 1, payload: utf8("x"), masked: false)) == failure(.unmaskedFrame))
    }

    @Test func rejectsReservedOpcodes() {
        #expect(run(rawFrame(opcode: 3)) == failure(.reservedOpcode(3)))
        #expect(run(rawFrame(opcode: 11, payload: utf8("reserved opcode payload"))) == failure(.reservedOpcode(11)))
    }

    @Test func rejectsFragmentedControlFrame() {
        // Autobahn 5.1.
        let bytes = clientFrame(.ping, utf8("fragment1"), fin: false) + clientFrame(.continuation, utf8("fragment2"))
        #expect(run(bytes) == failure(.fragmentedControlFrame))
    }

    @Test func rejectsControlFrameLongerThan125Bytes() {
        // Autobahn 2.5.
        #expect(
            run(rawFrame(opcode: 9, payload: [UInt8](repeating: 0xFE, count: 126))) == failure(.controlFrameTooLong)
        )
    }

    @Test func rejectsMSBSetLength() {
        #expect(run(hex("82 FF 80 00 00 00 00 00 00 05 01 02 03 04")) == failure(.invalidPayloadLength))
    }

    @Test func hugePayloadLengthDoesNotTrap() {
        #expect(run(hex("82 FF 7F FF FF FF FF FF FF FF")) == failure(.frameTooBig))
    }

    @Test func frameOverLimitFailsAtHeader() {
        var connection = WebSocketConnection(configuration: WebSocketConfiguration(maxFrameSize: 16 * 1024))
        #expect(connection.events(after: hex("81 FE 40 01")) == failure(.frameTooBig))
        #expect(connection.isIdle)
    }

    @Test func continuationWithoutStart() {
        // Autobahn 5.9.
        let bytes = clientFrame(.continuation, utf8("non-continuation payload")) + clientFrame(.text, utf8("Hello"))
        #expect(run(bytes) == failure(.unexpectedContinuation))
    }

    @Test func newMessageBeforeFin() {
        // Autobahn 5.18.
        let bytes = clientFrame(.text, utf8("fragment1"), fin: false) + clientFrame(.text, utf8("fragment2"))
        #expect(run(bytes) == failure(.expectedContinuation))
    }

    @Test func messageOverLimitAcrossFragments() {
        let configuration = WebSocketConfiguration(maxMessageSize: 100)
        let ok =
            clientFrame(.binary, [UInt8](repeating: 1, count: 60), fin: false)
            + clientFrame(.continuation, [UInt8](repeating: 2, count: 40))
        #expect(
            run(ok, configuration: configuration) == [
                .binary([UInt8](repeating: 1, count: 60) + [UInt8](repeating: 2, count: 40))
            ]
        )
        // One byte more fails at the second header, before its payload arrives.
        let tooBig =
            clientFrame(.binary, [UInt8](repeating: 1, count: 60), fin: false)
            + Array(clientFrame(.continuation, [UInt8](repeating: 2, count: 41)).prefix(6))
        #expect(run(tooBig, configuration: configuration) == failure(.messageTooBig))
    }

    @Test func tooManyFragments() {
        let configuration = WebSocketConfiguration(maxFragmentsPerMessage: 3)
        let three = clientFrame(.text, fin: false) + clientFrame(.continuation, fin: false) + clientFrame(.continuation)
        #expect(run(three, configuration: configuration) == [.text([])])
        let four =
            clientFrame(.text, fin: false) + clientFrame(.continuation, fin: false)
            + clientFrame(.continuation, fin: false) + clientFrame(.continuation)
        #expect(run(four, configuration: configuration) == failure(.tooManyFragments))
    }

    @Test func inputAfterProtocolErrorIsIgnored() {
        // Autobahn 3.2: the first message is delivered, the RSV2 frame fails the connection, the ping is not answered.
        var connection = WebSocketConnection()
        let bytes =
            clientFrame(.text, utf8("Hello")) + rawFrame(opcode: 1, payload: utf8("Hello"), rsv: 2)
            + clientFrame(.ping)
        #expect(connection.events(after: bytes) == [.text(utf8("Hello"))] + failure(.reservedBitsSet))
        #expect(connection.state == .closed)
        #expect(connection.events(after: clientFrame(.ping)) == [])
        #expect(connection.close(code: .normal) == nil)
    }

    // UTF-8.

    @Test(arguments: UTF8ValidatorTests.autobahnSequences)
    func validatesTextMessages(valid: Bool, bytes: String) {
        let events = run(clientFrame(.text, hex(bytes)))
        #expect(events == (valid ? [.text(hex(bytes))] : failure(.invalidUTF8)))
    }

    @Test func binaryIsNotValidated() {
        #expect(run(clientFrame(.binary, hex("ff fe ed a0 80"))) == [.binary(hex("ff fe ed a0 80"))])
    }

    static let autobahn641 = hex("ce ba e1 bd b9 cf 83 ce bc ce b5 f4 90 80 80 65 64 69 74 65 64")

    @Test func failsFastOnTheFragmentWithTheFirstInvalidByte() {
        // Autobahn 6.4.1 and 6.4.2: fragments arrive one at a time; the second fails at once.
        for split in [11, 12] {
            let payload = Self.autobahn641
            var connection = WebSocketConnection()
            #expect(connection.events(after: clientFrame(.text, Array(payload[..<split]), fin: false)) == [])
            let end = split == 11 ? 15 : 13
            let second = clientFrame(.continuation, Array(payload[split..<end]), fin: false)
            #expect(connection.events(after: second) == failure(.invalidUTF8))
        }
    }

    @Test func failsFastInsideAFrame() {
        // Autobahn 6.4.3 and 6.4.4: one frame delivered in chops; the chop with the invalid byte fails at once.
        for (split, end) in [(11, 15), (12, 13)] {
            let frame = clientFrame(.text, Self.autobahn641)
            let header = frame.count - Self.autobahn641.count
            var connection = WebSocketConnection()
            #expect(connection.events(after: Array(frame[..<(header + split)])) == [])
            #expect(connection.events(after: Array(frame[(header + split)..<(header + end)])) == failure(.invalidUTF8))
        }
    }

    @Test func messageEndingInsideACharacterIsInvalid() {
        let bytes = clientFrame(.text, hex("68 c3"), fin: false) + clientFrame(.continuation, [])
        #expect(run(bytes) == failure(.invalidUTF8))
        // A character split across fragments is fine.
        let split = clientFrame(.text, hex("68 c3"), fin: false) + clientFrame(.continuation, hex("a9"))
        #expect(run(split) == [.text(utf8("hé"))])
    }
}
