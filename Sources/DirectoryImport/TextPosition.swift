/// Byte-level facts about a file that messages need: whether it is UTF-8, and which line and column a byte
/// offset is on. Lines end at LF, CRLF or a lone CR, as in ``CSVReader``.
enum TextPosition {
    /// The offset of the first byte that starts an ill-formed or truncated UTF-8 sequence (overlong forms,
    /// encoded surrogates and code points above U+10FFFF included), or `nil` if `bytes` is well-formed.
    static func firstInvalidUTF8Offset(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { buffer -> Int? in
            var index = 0
            let count = buffer.count
            while index < count {
                // Even Chinese files are mostly ASCII (digits, commas, ids); skip it eight bytes at a time.
                while index + 8 <= count
                    && buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    index += 8
                }
                guard index < count else { return nil }
                let lead = buffer[index]
                if lead < 0x80 {
                    index += 1
                    continue
                }
                let length: Int
                let second: ClosedRange<UInt8>
                switch lead {
                case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
                case 0xE0: (length, second) = (3, 0xA0...0xBF)
                case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
                case 0xED: (length, second) = (3, 0x80...0x9F)
                case 0xF0: (length, second) = (4, 0x90...0xBF)
                case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
                case 0xF4: (length, second) = (4, 0x80...0x8F)
                default: return index
                }
                guard index + length <= count, second.contains(buffer[index + 1]) else { return index }
                for offset in index + 2..<index + length where buffer[offset] & 0xC0 != 0x80 {
                    return index
                }
                index += length
            }
            return nil
        }
    }

    /// The 1-based line and column (in characters, not bytes, so that it matches what an editor shows for
    /// Chinese text) of the byte at `offset`.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n")
                || (byte == UInt8(ascii: "\r") && index + 1 < bytes.count
                    && bytes[index + 1] != UInt8(ascii: "\n"))
            {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        var column = 1
        for byte in bytes[lineStart..<end] where byte & 0xC0 != 0x80 {
            column += 1
        }
        return (line, column)
    }
}
