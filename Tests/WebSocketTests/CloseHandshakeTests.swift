import Testing
import WebSocket

@Suite struct CloseHandshakeTests {
    private func run(_ bytes: [UInt8]) -> [WebSocketEvent] {
        var connection = WebSocketConnection()
        return connection.events(after: bytes)
    }

    private func echoed(_ code: UInt16, reason: String = "") -> [WebSocketEvent] {
        [
            .write(FrameEncoder.closeFrame(code: CloseCode(rawValue: code))),
            .closed(code: CloseCode(rawValue: code), reason: reason),
        ]
    }

    // Peer-initiated close: every code range (Autobahn 7.7.x valid, 7.9.x and 7.13.x invalid).

    @Test(
        arguments: [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]
            as [UInt16]
    )
    func echoesValidCloseCodes(code: UInt16) {
        #expect(run(clientClose(code)) == echoed(code))
    }

    @Test(arguments: [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535] as [UInt16])
    func rejectsInvalidCloseCodes(code: UInt16) {
        #expect(run(clientClose(code)) == failure(.invalidCloseCode(code)))
    }

    @Test func emptyCloseIsAnsweredWithEmptyClose() {
        // Autobahn 7.3.1.
        #expect(run(clientFrame(.close)) == [.write(hex("88 00")), .closed(code: nil, reason: "")])
    }

    @Test func closePayloadOfOneByteIsProtocolError() {
        // Autobahn 7.3.2.
        #expect(run(clientFrame(.close, utf8("a"))) == failure(.invalidClosePayload))
    }

    @Test func closeWithReasonIsEchoedWithoutTheReason() {
        // Autobahn 7.3.4 and 7.3.5 (123-byte reason, the maximum).
        #expect(run(clientClose(1000, utf8("Hello World!"))) == echoed(1000, reason: "Hello World!"))
        let longest = String(repeating: "*", count: 123)
        #expect(run(clientClose(1000, utf8(longest))) == echoed(1000, reason: longest))
    }

    @Test func closeReasonTooLongIsProtocolError() {
        // Autobahn 7.3.6: 124-byte reason, 126-byte payload.
        let bytes = rawFrame(opcode: 8, payload: [0x03, 0xE8] + [UInt8](repeating: 0x2A, count: 124))
        #expect(run(bytes) == failure(.controlFrameTooLong))
    }

    @Test func closeReasonWithInvalidUTF8() {
        // Autobahn 7.5.1 accepts 1002 or 1007; 1007 is the more precise.
        let reason = hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64")
        #expect(run(clientClose(1000, reason)) == failure(.invalidCloseReason))
        #expect(WebSocketError.invalidCloseReason.closeCode == .invalidPayload)
    }

    // Nothing after the peer's close frame counts (Autobahn 7.1.x).

    @Test(arguments: [
        clientFrame(.close),  // 7.1.2: a second close
        clientFrame(.ping),  // 7.1.3: a ping
        clientFrame(.text, utf8("Hello World")),  // 7.1.4: a message
        clientFrame(.continuation, utf8("fragment2")),  // 7.1.5
        [0xFF, 0xFF, 0xFF],  // garbage
    ])
    func inputAfterCloseIsIgnored(after: [UInt8]) {
        var connection = WebSocketConnection()
        #expect(connection.events(after: clientClose(1000) + after) == echoed(1000))
        #expect(connection.events(after: after) == [])
        #expect(connection.state == .closed && connection.isIdle)
    }

    @Test func closeInsideFragmentedMessage() {
        // Autobahn 7.1.5.
        let bytes =
            clientFrame(.text, utf8("fragment1"), fin: false) + clientClose(1000)
            + clientFrame(.continuation, utf8("fragment2"))
        #expect(run(bytes) == echoed(1000))
    }

    @Test func messageBeforeCloseIsDelivered() {
        // Autobahn 7.1.1.
        #expect(
            run(clientFrame(.text, utf8("Hello World")) + clientClose(1000)) == [.text(utf8("Hello World"))]
                + echoed(1000)
        )
    }

    // Server-initiated close.

    @Test func serverInitiatedCloseCompletesOnPeerClose() {
        var connection = WebSocketConnection()
        #expect(
            connection.close(code: .goingAway, reason: "restart")
                == FrameEncoder.closeFrame(code: .goingAway, reason: "restart")
        )
        #expect(connection.state == .closeSent)
        #expect(connection.close(code: .normal) == nil)
        // Data is discarded, pings are not answered, then the peer's close completes the handshake without a reply.
        let bytes =
            clientFrame(.text, utf8("late")) + clientFrame(.ping) + clientFrame(.binary, [1, 2]) + clientClose(1001)
        #expect(connection.events(after: bytes) == [.closed(code: .goingAway, reason: "")])
        #expect(connection.state == .closed)
    }

    @Test func serverCloseDuringFragmentedMessageDiscardsIt() {
        var connection = WebSocketConnection()
        #expect(connection.events(after: clientFrame(.text, utf8("part"), fin: false)) == [])
        #expect(!connection.isIdle)
        _ = connection.close(code: .normal)
        #expect(
            connection.events(after: clientFrame(.continuation, utf8("rest")) + clientFrame(.close)) == [
                .closed(code: nil, reason: "")
            ]
        )
    }

    @Test func serverCloseMidFrameDiscardsTheRestOfTheFrame() {
        var connection = WebSocketConnection()
        let frame = clientFrame(.text, utf8("Hello, world"))
        #expect(connection.events(after: Array(frame[..<8])) == [])
        _ = connection.close(code: .normal)
        #expect(
            connection.events(after: Array(frame[8...]) + clientClose(1000)) == [.closed(code: .normal, reason: "")]
        )
    }

    @Test func protocolErrorAfterServerCloseSendsNoSecondCloseFrame() {
        var connection = WebSocketConnection()
        _ = connection.close(code: .normal)
        let error = WebSocketError.reservedOpcode(5)
        #expect(
            connection.events(after: rawFrame(opcode: 5)) == [.closed(code: error.closeCode, reason: error.description)]
        )
    }

    @Test(arguments: [CloseCode.noStatus, .abnormal, CloseCode(rawValue: 1015), CloseCode(rawValue: 999)])
    func closeWithUnsendableCodeSendsEmptyClose(code: CloseCode) {
        var connection = WebSocketConnection()
        #expect(connection.close(code: code, reason: "ignored") == hex("88 00"))
    }

    @Test func closeReasonIsTruncated() {
        var connection = WebSocketConnection()
        let frame = connection.close(code: .normal, reason: String(repeating: "é", count: 100))
        #expect(frame?.count == 2 + 2 + 122)
    }
}
