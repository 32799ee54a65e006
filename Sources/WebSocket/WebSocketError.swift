/// A reason to fail a WebSocket connection, each knowing the close code it is reported with on the wire.
public enum WebSocketError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A client frame without the mask bit (RFC 6455 §5.1). 1002.
    case unmaskedFrame
    /// A masked frame where unmasked frames are expected, i.e. a masked server frame seen by a client (§5.1). 1002.
    case maskedFrame
    /// A frame with a reserved opcode (3–7, 11–15; §5.2). 1002.
    case reservedOpcode(UInt8)
    /// RSV2 or RSV3 set, or RSV1 set where no negotiated extension gives it a meaning (§5.2, RFC 7692 §6.1). 1002.
    case reservedBitsSet
    /// A control frame with FIN clear (§5.5). 1002.
    case fragmentedControlFrame
    /// A control frame whose payload is longer than 125 bytes (§5.5). 1002.
    case controlFrameTooLong
    /// A 64-bit payload length with its most significant bit set (§5.2). 1002.
    case invalidPayloadLength
    /// A frame longer than the configured frame limit; detected from the header, before any payload is buffered.
    /// 1009.
    case frameTooBig
    /// A message longer than the configured message limit, counting decompressed bytes for compressed messages.
    /// 1009.
    case messageTooBig
    /// A message split into more frames than the configured limit. 1009.
    case tooManyFragments
    /// A continuation frame with no message in progress (§5.4). 1002.
    case unexpectedContinuation
    /// A new text or binary frame while a fragmented message is still in progress (§5.4). 1002.
    case expectedContinuation
    /// A text message that is not well-formed UTF-8 (§8.1). 1007.
    case invalidUTF8
    /// A close frame whose payload is exactly one byte (§5.5.1). 1002.
    case invalidClosePayload
    /// A close frame carrying a status code that may not appear on the wire (§7.4). 1002.
    case invalidCloseCode(UInt16)
    /// A close frame whose reason is not well-formed UTF-8 (§5.5.1). 1007.
    case invalidCloseReason
    /// A compressed message that zlib cannot inflate (RFC 7692 §7.2.2). 1007, as the payload is inconsistent with
    /// its declared encoding.
    case invalidCompressedData
    /// zlib failed for a reason that is not the peer's fault, such as an allocation failure. 1011.
    case compressionFailure

    /// The status code sent in the close frame that fails the connection.
    public var closeCode: CloseCode {
        switch self {
        case .unmaskedFrame, .maskedFrame, .reservedOpcode, .reservedBitsSet, .fragmentedControlFrame,
            .controlFrameTooLong, .invalidPayloadLength, .unexpectedContinuation, .expectedContinuation,
            .invalidClosePayload, .invalidCloseCode:
            return .protocolError
        case .frameTooBig, .messageTooBig, .tooManyFragments:
            return .messageTooBig
        case .invalidUTF8, .invalidCloseReason, .invalidCompressedData:
            return .invalidPayload
        case .compressionFailure:
            return .internalError
        }
    }

    /// A short English reason, sent as the close frame's reason text (always well under 123 bytes).
    public var description: String {
        switch self {
        case .unmaskedFrame: return "client frame not masked"
        case .maskedFrame: return "server frame masked"
        case .reservedOpcode(let raw): return "reserved opcode \(raw)"
        case .reservedBitsSet: return "reserved bits set"
        case .fragmentedControlFrame: return "fragmented control frame"
        case .controlFrameTooLong: return "control frame too long"
        case .invalidPayloadLength: return "invalid payload length"
        case .frameTooBig: return "frame too big"
        case .messageTooBig: return "message too big"
        case .tooManyFragments: return "too many fragments"
        case .unexpectedContinuation: return "continuation without a message"
        case .expectedContinuation: return "expected a continuation frame"
        case .invalidUTF8: return "invalid UTF-8 in text message"
        case .invalidClosePayload: return "invalid close payload"
        case .invalidCloseCode(let raw): return "invalid close code \(raw)"
        case .invalidCloseReason: return "invalid UTF-8 in close reason"
        case .invalidCompressedData: return "invalid compressed data"
        case .compressionFailure: return "compression failure"
        }
    }
}
