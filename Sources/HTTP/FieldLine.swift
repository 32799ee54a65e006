/// Syntax of one header or trailer field line (RFC 9112 §5): `field-name ":" OWS field-value OWS`.
struct FieldLine: Sendable {
    /// End of the name; the colon sits at this offset.
    var nameEnd: Int
    /// The value with surrounding whitespace removed.
    var value: Range<Int>

    /// Splits and validates a field line given without its CRLF.
    ///
    /// - A line starting with SP/HTAB is obs-fold (RFC 9112 §5.2) and rejected rather than unfolded.
    /// - The name must be a non-empty token directly followed by `:`; whitespace before the colon is rejected
    ///   (RFC 9112 §5.1), which is what makes `Transfer-Encoding : chunked` a 400 instead of an ignored header.
    /// - The value may hold VCHAR, SP, HTAB and obs-text only; NUL and other controls are rejected.
    static func parse(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> FieldLine {
        let count = line.count
        if ASCII.isWhitespace(line[0]) { throw .obsoleteLineFolding }
        var index = 0
        while index < count, ASCII.isToken(line[index]) { index += 1 }
        guard index > 0, index < count, line[index] == ASCII.colon else { throw .invalidHeaderName }
        let nameEnd = index
        var lower = index + 1
        var upper = count
        while lower < upper, ASCII.isWhitespace(line[lower]) { lower += 1 }
        while upper > lower, ASCII.isWhitespace(line[upper - 1]) { upper -= 1 }
        var position = lower
        while position < upper {
            // Fast path: 8 bytes without any control byte or DEL.
            if position + 8 <= upper {
                let word = UInt64(littleEndian: line.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                if !ASCII.anyByte(in: word, below: 0x20), !ASCII.anyByte(in: word, equalTo: 0x7F) {
                    position += 8
                    continue
                }
            }
            guard ASCII.isFieldValueByte(line[position]) else { throw .invalidHeaderValue }
            position += 1
        }
        return FieldLine(nameEnd: nameEnd, value: lower..<upper)
    }
}
