import JSON

/// Byte-level facts about a file that messages need: whether it is UTF-8, and which line and column a byte
/// offset is on. Lines end at LF, CRLF or a lone CR, as in ``CSVReader``.
enum TextPosition {
    /// The offset of the first byte that starts an ill-formed or truncated UTF-8 sequence (overlong forms,
    /// encoded surrogates and code points above U+10FFFF included), or `nil` if `bytes` is well-formed.
    static func firstInvalidUTF8Offset(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { UTF8Validation.firstInvalidOffset(in: $0) }
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
