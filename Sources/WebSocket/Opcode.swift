/// A WebSocket frame opcode (RFC 6455 §5.2): the low four bits of a frame's first byte.
///
/// Any 4-bit value can be represented, including the reserved ones (3–7 and 11–15), so that a decoder can report
/// exactly what it received; ``isReserved`` tells them apart.
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 4-bit opcode value, 0 through 15.
    public let rawValue: UInt8

    /// Creates an opcode from its 4-bit value, or returns `nil` if `rawValue` is greater than 15.
    public init?(rawValue: UInt8) {
        guard rawValue <= 0x0F else { return nil }
        self.rawValue = rawValue
    }

    init(uncheckedRawValue: UInt8) {
        self.rawValue = uncheckedRawValue & 0x0F
    }

    /// `0x0`: continues a fragmented data message.
    public static let continuation = Opcode(uncheckedRawValue: 0x0)
    /// `0x1`: the first (or only) frame of a text message.
    public static let text = Opcode(uncheckedRawValue: 0x1)
    /// `0x2`: the first (or only) frame of a binary message.
    public static let binary = Opcode(uncheckedRawValue: 0x2)
    /// `0x8`: a close frame.
    public static let close = Opcode(uncheckedRawValue: 0x8)
    /// `0x9`: a ping frame.
    public static let ping = Opcode(uncheckedRawValue: 0x9)
    /// `0xA`: a pong frame.
    public static let pong = Opcode(uncheckedRawValue: 0xA)

    /// Whether this is a control opcode (high bit of the nibble set: close, ping, pong and the reserved 11–15).
    public var isControl: Bool {
        rawValue & 0x08 != 0
    }

    /// Whether this opcode is reserved for future use (3–7 and 11–15). A frame with such an opcode fails the
    /// connection with 1002 (RFC 6455 §5.2).
    public var isReserved: Bool {
        switch rawValue {
        case 0x0, 0x1, 0x2, 0x8, 0x9, 0xA: return false
        default: return true
        }
    }

    /// A short name such as `text` or `reserved(3)`.
    public var description: String {
        switch rawValue {
        case 0x0: return "continuation"
        case 0x1: return "text"
        case 0x2: return "binary"
        case 0x8: return "close"
        case 0x9: return "ping"
        case 0xA: return "pong"
        default: return "reserved(\(rawValue))"
        }
    }
}
