import Testing
import WebSocket

@Suite struct PrimitiveTests {
    @Test func opcodes() {
        #expect([Opcode.continuation, .text, .binary].allSatisfy { !$0.isControl && !$0.isReserved })
        #expect([Opcode.close, .ping, .pong].allSatisfy { $0.isControl && !$0.isReserved })
        #expect((3...7).allSatisfy { Opcode(rawValue: $0)!.isReserved && !Opcode(rawValue: $0)!.isControl })
        #expect((11...15).allSatisfy { Opcode(rawValue: $0)!.isReserved && Opcode(rawValue: $0)!.isControl })
        #expect(Opcode(rawValue: 16) == nil)
        #expect(Opcode.text.description == "text" && Opcode(rawValue: 3)!.description == "reserved(3)")
    }

    @Test func everyCloseCodeRange() {
        // RFC 6455 §7.4 plus the IANA registry; matches Autobahn 7.7.x (valid) and 7.9.x (invalid).
        for raw in UInt16(0)...UInt16.max {
            let expected: Bool
            switch raw {
            case 0...999: expected = false
            case 1000, 1001, 1002, 1003: expected = true
            case 1004, 1005, 1006: expected = false
            case 1007...1014: expected = true
            case 1015...2999: expected = false
            case 3000...4999: expected = true
            default: expected = false
            }
            if CloseCode.isValidOnWire(raw) != expected {
                Issue.record("close code \(raw)")
            }
        }
        #expect(!CloseCode.noStatus.isValidOnWire && !CloseCode.abnormal.isValidOnWire)
        #expect(CloseCode.normal.description == "1000")
    }

    @Test func errorsKnowTheirCloseCodes() {
        let table: [(WebSocketError, CloseCode)] = [
            (.unmaskedFrame, .protocolError), (.maskedFrame, .protocolError), (.reservedOpcode(3), .protocolError),
            (.reservedBitsSet, .protocolError), (.fragmentedControlFrame, .protocolError),
            (.controlFrameTooLong, .protocolError), (.invalidPayloadLength, .protocolError),
            (.frameTooBig, .messageTooBig), (.messageTooBig, .messageTooBig), (.tooManyFragments, .messageTooBig),
            (.unexpectedContinuation, .protocolError), (.expectedContinuation, .protocolError),
            (.invalidUTF8, .invalidPayload), (.invalidClosePayload, .protocolError),
            (.invalidCloseCode(999), .protocolError), (.invalidCloseReason, .invalidPayload),
            (.invalidCompressedData, .invalidPayload), (.compressionFailure, .internalError),
        ]
        for (error, code) in table {
            #expect(error.closeCode == code, "\(error)")
            #expect(error.description.utf8.count <= 123)
        }
    }

    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64RFC4648Vectors(plain: String, encoded: String) {
        #expect(Base64.encode(utf8(plain)) == encoded)
        #expect(Base64.decode(encoded) == utf8(plain))
    }

    @Test(arguments: ["Zg", "Zg=", "Zh==", "Zm9=", "Z===", "Zg==Zg==", "Zm9v\n", "Zm 9v", "Zm9v!A=="])
    func base64RejectsNonCanonicalInput(encoded: String) {
        #expect(Base64.decode(encoded) == nil)
    }

    @Test func base64AllByteValuesRoundTrip() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }
}
