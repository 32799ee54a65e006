/// A parsed chunk-size line (RFC 9112 §7.1): `chunk-size [ chunk-ext ]`.
struct ChunkSizeLine: Sendable {
    /// Most hex digits accepted in a chunk size. 16 digits cover every size an `Int` can hold; longer sizes, even
    /// ones padded with leading zeros, are rejected so that the line stays bounded while it is still arriving.
    static let maxDigits = 16

    /// The chunk size; 0 marks the last chunk.
    var size: Int
    /// Bytes after the size (the extensions), charged to ``HTTPLimits/maxChunkExtensionBytes``.
    var extensionBytes: Int

    /// Parses a chunk-size line given without its CRLF. Extensions are checked for syntax and then ignored.
    static func parse(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> ChunkSizeLine {
        var index = 0
        var size = 0
        while index < line.count, let digit = ASCII.hexValue(line[index]) {
            // Checked before shifting, so `size << 4 | digit` always fits: no overflow trap on hostile input.
            guard index < maxDigits, size <= Int.max >> 4 else { throw .invalidChunkSize }
            size = size << 4 | Int(digit)
            index += 1
        }
        guard index > 0 else { throw .invalidChunkSize }
        try validateExtensions(UnsafeRawBufferPointer(rebasing: line[index...]))
        return ChunkSizeLine(size: size, extensionBytes: line.count - index)
    }

    // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string.
    private static func validateExtensions(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) {
        let count = bytes.count
        var index = 0
        func skipWhitespace() {
            while index < count, ASCII.isWhitespace(bytes[index]) { index += 1 }
        }
        func token() -> Bool {
            let start = index
            while index < count, ASCII.isToken(bytes[index]) { index += 1 }
            return index > start
        }
        // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4)
        func quotedString() throws(HTTPParseError) {
            index += 1
            while index < count {
                let byte = bytes[index]
                if byte == 0x22 {
                    index += 1
                    return
                }
                if byte == 0x5C {
                    index += 1
                    guard index < count else { break }
                }
                guard ASCII.isFieldValueByte(bytes[index]) else { throw .invalidChunkExtension }
                index += 1
            }
            throw .invalidChunkExtension
        }

        skipWhitespace()
        while index < count {
            guard bytes[index] == ASCII.semicolon else { throw .invalidChunkExtension }
            index += 1
            skipWhitespace()
            guard token() else { throw .invalidChunkExtension }
            skipWhitespace()
            if index < count, bytes[index] == 0x3D {
                index += 1
                skipWhitespace()
                if index < count, bytes[index] == 0x22 {
                    try quotedString()
                } else if !token() {
                    throw .invalidChunkExtension
                }
                skipWhitespace()
            }
        }
    }
}
