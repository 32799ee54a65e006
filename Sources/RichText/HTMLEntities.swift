/// Character references in HTML text and attribute values: numeric ones and the named ones articles use. An
/// unknown name stays as written (and is escaped again on output), as a browser would show it.
enum HTMLEntities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "copy": "©", "reg": "®",
        "middot": "·", "mdash": "—", "ndash": "–", "hellip": "…", "ldquo": "“", "rdquo": "”", "lsquo": "‘",
        "rsquo": "’", "times": "×", "divide": "÷", "deg": "°", "yen": "¥", "bull": "•", "colon": ":", "tab": "\t",
        "newline": "\n",
    ]

    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "&"), let (text, next) = reference(bytes, at: index) else {
                out.append(byte)
                index += 1
                continue
            }
            out += Array(text.utf8)
            index = next
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The reference starting at `start` (its text and the index after it), or nil if it is not one.
    private static func reference(_ bytes: ArraySlice<UInt8>, at start: Int) -> (String, Int)? {
        var cursor = start + 1
        guard cursor < bytes.endIndex else { return nil }
        if bytes[cursor] == UInt8(ascii: "#") {
            cursor += 1
            let hex = cursor < bytes.endIndex && (bytes[cursor] | 0x20) == UInt8(ascii: "x")
            if hex { cursor += 1 }
            var value: UInt32 = 0
            let digitsStart = cursor
            while cursor < bytes.endIndex, cursor - digitsStart < 8 {
                let byte = bytes[cursor]
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x61...0x66 where hex: digit = UInt32(byte - 0x61 + 10)
                case 0x41...0x46 where hex: digit = UInt32(byte - 0x41 + 10)
                default: digit = UInt32.max
                }
                if digit == UInt32.max { break }
                value = value * (hex ? 16 : 10) + digit
                cursor += 1
            }
            guard cursor > digitsStart else { return nil }
            if cursor < bytes.endIndex, bytes[cursor] == UInt8(ascii: ";") { cursor += 1 }
            // NUL, surrogates and out-of-range values become U+FFFD, as in browsers.
            let scalar = value == 0 ? nil : Unicode.Scalar(value)
            return (String(Character(scalar ?? "\u{FFFD}")), cursor)
        }
        let nameStart = cursor
        while cursor < bytes.endIndex, cursor - nameStart < 12,
            (0x61...0x7A).contains(bytes[cursor] | 0x20) || (0x30...0x39).contains(bytes[cursor])
        {
            cursor += 1
        }
        guard cursor < bytes.endIndex, bytes[cursor] == UInt8(ascii: ";"),
            let text = named[String(decoding: bytes[nameStart..<cursor], as: UTF8.self).lowercased()]
        else { return nil }
        return (text, cursor + 1)
    }
}
