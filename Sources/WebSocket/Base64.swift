/// Standard base64 (RFC 4648 §4, with padding), as used by `Sec-WebSocket-Key` and `Sec-WebSocket-Accept`.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    // 0xFF marks bytes outside the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// Encodes `bytes` with padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(value >> 18 & 0x3F)])
            output.append(alphabet[Int(value >> 12 & 0x3F)])
            output.append(alphabet[Int(value >> 6 & 0x3F)])
            output.append(alphabet[Int(value & 0x3F)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let value = UInt32(input[index]) << 16
            output.append(alphabet[Int(value >> 18 & 0x3F)])
            output.append(alphabet[Int(value >> 12 & 0x3F)])
            output.append(contentsOf: "==".utf8)
        case 2:
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output.append(alphabet[Int(value >> 18 & 0x3F)])
            output.append(alphabet[Int(value >> 12 & 0x3F)])
            output.append(alphabet[Int(value >> 6 & 0x3F)])
            output.append(UInt8(ascii: "="))
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes canonical padded base64, or returns `nil`: the length must be a multiple of 4, padding only at the
    /// end, no whitespace, and the unused bits before the padding must be zero (RFC 4648 §3.5).
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        let input = Array(string.utf8)
        guard input.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var padding = 0
            if isLast {
                if input[index + 3] == UInt8(ascii: "=") { padding += 1 }
                if input[index + 2] == UInt8(ascii: "=") {
                    guard padding == 1 else { return nil }
                    padding += 1
                }
            }
            var value: UInt32 = 0
            for offset in 0..<(4 - padding) {
                let digit = decodeTable[Int(input[index + offset])]
                guard digit != 0xFF else { return nil }
                value |= UInt32(digit) << (18 - 6 * UInt32(offset))
            }
            switch padding {
            case 0:
                output.append(UInt8(truncatingIfNeeded: value >> 16))
                output.append(UInt8(truncatingIfNeeded: value >> 8))
                output.append(UInt8(truncatingIfNeeded: value))
            case 1:
                guard value & 0xFF == 0 else { return nil }
                output.append(UInt8(truncatingIfNeeded: value >> 16))
                output.append(UInt8(truncatingIfNeeded: value >> 8))
            default:
                guard value & 0xFFFF == 0 else { return nil }
                output.append(UInt8(truncatingIfNeeded: value >> 16))
            }
            index += 4
        }
        return output
    }
}
