import WebSocket

/// Builds a client frame byte by byte, including frames no well-behaved encoder would produce (reserved bits and
/// opcodes, unmasked, non-minimal lengths, lying lengths).
func rawFrame(
    opcode: UInt8,
    payload: [UInt8] = [],
    fin: Bool = true,
    rsv: UInt8 = 0,
    masked: Bool = true,
    key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D],
    lengthEncoding: LengthEncoding = .minimal
) -> [UInt8] {
    var bytes: [UInt8] = [(fin ? 0x80 : 0) | (rsv & 0x07) << 4 | (opcode & 0x0F)]
    let mask: UInt8 = masked ? 0x80 : 0
    let count = payload.count
    switch lengthEncoding {
    case .minimal where count < 126:
        bytes.append(mask | UInt8(count))
    case .minimal where count <= 0xFFFF, .sixteenBit:
        bytes.append(mask | 126)
        bytes.append(contentsOf: [UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)])
    default:
        bytes.append(mask | 127)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: UInt64(count) >> UInt64(shift)))
        }
    }
    if masked {
        bytes.append(contentsOf: key)
        bytes.append(contentsOf: payload.enumerated().map { $0.element ^ key[$0.offset & 3] })
    } else {
        bytes.append(contentsOf: payload)
    }
    return bytes
}

/// How ``rawFrame`` writes the payload length.
enum LengthEncoding {
    case minimal
    case sixteenBit
    case sixtyFourBit
}

/// A masked client frame built with the library's own encoder.
func clientFrame(_ opcode: Opcode, _ payload: [UInt8] = [], fin: Bool = true, rsv1: Bool = false) -> [UInt8] {
    FrameEncoder.encode(opcode: opcode, payload: payload, fin: fin, rsv1: rsv1, maskingKey: (0x12, 0x34, 0x56, 0x78))
}

/// A masked client close frame.
func clientClose(_ code: UInt16, _ reason: [UInt8] = []) -> [UInt8] {
    clientFrame(.close, [UInt8(code >> 8), UInt8(code & 0xFF)] + reason)
}

/// Bytes from a hex string such as "81 05 48 65".
func hex(_ string: String) -> [UInt8] {
    let digits = string.filter { $0.isHexDigit }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// The UTF-8 bytes of a string literal.
func utf8(_ string: String) -> [UInt8] {
    Array(string.utf8)
}

extension WebSocketConnection {
    /// Receives `bytes` and returns every event produced.
    mutating func events(after bytes: [UInt8]) -> [WebSocketEvent] {
        receive(bytes)
        return drain()
    }

    /// Drains all pending events.
    mutating func drain() -> [WebSocketEvent] {
        var events: [WebSocketEvent] = []
        while let event = nextEvent() { events.append(event) }
        return events
    }
}

/// The events that fail a connection with `error`: the close frame, then `closed`.
func failure(_ error: WebSocketError) -> [WebSocketEvent] {
    [
        .write(FrameEncoder.closeFrame(code: error.closeCode, reason: error.description)),
        .closed(code: error.closeCode, reason: error.description),
    ]
}

/// The close code carried by a `.closed` event, if `events` ends with one.
func closeCode(of events: [WebSocketEvent]) -> CloseCode?? {
    guard case .closed(let code, _)? = events.last else { return nil }
    return .some(code)
}
